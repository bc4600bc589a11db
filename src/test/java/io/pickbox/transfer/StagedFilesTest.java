package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Large files assembled on a receiving node while their chunks arrive. */
class StagedFilesTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The chunk the way the blob endpoint hands it over: in an aligned direct buffer, as pushed. */
    private static ByteBuffer direct(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK + 4096).alignedSlice(4096);
        b.put(data).flip();
        return b;
    }

    private static List<Path> temps(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PathValidator.TEMP_PREFIX)).toList();
        }
    }

    @Test
    void chunksWrittenAtTheirOffsetsAreHandedOverOnceWithTheirHashes(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("d"));
        byte[] first = bytes(CHUNK, 1), last = bytes(1234, 2);
        try (StagedFiles staged = new StagedFiles(root)) {
            // Out of order, as concurrent pushes arrive.
            staged.write(new Placement("d/big.bin", CHUNK), Hashing.sha256Hex(last), ByteBuffer.wrap(last));
            staged.write(new Placement("d/big.bin", 0), Hashing.sha256Hex(first), direct(first));

            StagedFiles.Staged s = staged.take("d/big.bin");
            assertThat(s).isNotNull();
            assertThat(s.file().getParent()).isEqualTo(root.resolve("d"));
            assertThat(s.file().getFileName().toString()).startsWith(PathValidator.TEMP_PREFIX);
            assertThat(s.chunkAt(0)).isEqualTo(Hashing.sha256Hex(first));
            assertThat(s.chunkAt(CHUNK)).isEqualTo(Hashing.sha256Hex(last));
            byte[] all = Files.readAllBytes(s.file());
            assertThat(Arrays.copyOfRange(all, 0, CHUNK)).isEqualTo(first);
            assertThat(Arrays.copyOfRange(all, CHUNK, all.length)).isEqualTo(last);

            assertThat(staged.take("d/big.bin")).as("handed over once").isNull();
            assertThat(staged.openCount()).isZero();
        }
    }

    @Test
    void nothingIsStagedWhereTheDirectoryDoesNotExistYet(@TempDir Path root) throws Exception {
        byte[] c = bytes(CHUNK, 3);
        try (StagedFiles staged = new StagedFiles(root)) {
            staged.write(new Placement("new/dir/big.bin", 0), Hashing.sha256Hex(c), direct(c));
            assertThat(staged.take("new/dir/big.bin")).isNull();
        }
        assertThat(root.resolve("new")).doesNotExist();
    }

    @Test
    void aChunkPushedAgainAtAnOffsetReplacesWhatWasThere(@TempDir Path root) throws Exception {
        byte[] old = bytes(CHUNK, 4), now = bytes(CHUNK, 5);
        try (StagedFiles staged = new StagedFiles(root)) {
            Placement at = new Placement("big.bin", 0);
            staged.write(at, Hashing.sha256Hex(old), direct(old));
            staged.write(at, Hashing.sha256Hex(now), direct(now));
            StagedFiles.Staged s = staged.take("big.bin");
            assertThat(s.chunks()).containsExactly(java.util.Map.entry(0L, Hashing.sha256Hex(now)));
            assertThat(Files.readAllBytes(s.file())).isEqualTo(now);
        }
    }

    @Test
    void concurrentPushesOfOneOffsetLeaveTheRecordNamingWhatTheFileHolds(@TempDir Path root) throws Exception {
        List<byte[]> versions = new ArrayList<>();
        for (int i = 0; i < 6; i++) versions.add(bytes(CHUNK, 100 + i));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (StagedFiles staged = new StagedFiles(root)) {
            for (int round = 0; round < 10; round++) {
                List<Future<?>> done = new ArrayList<>();
                for (byte[] v : versions) {
                    done.add(pool.submit(() -> staged.write(new Placement("race.bin", 0), Hashing.sha256Hex(v), direct(v))));
                }
                for (Future<?> f : done) f.get();
                StagedFiles.Staged s = staged.take("race.bin");
                assertThat(Hashing.sha256Hex(Files.readAllBytes(s.file()))).isEqualTo(s.chunkAt(0));
                Files.delete(s.file());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void chunksPushedAfterTheHandOverGoToANewFile(@TempDir Path root) throws Exception {
        byte[] a = bytes(CHUNK, 6), b = bytes(CHUNK, 7);
        try (StagedFiles staged = new StagedFiles(root)) {
            staged.write(new Placement("big.bin", 0), Hashing.sha256Hex(a), direct(a));
            StagedFiles.Staged first = staged.take("big.bin");
            staged.write(new Placement("big.bin", 0), Hashing.sha256Hex(b), direct(b));
            StagedFiles.Staged second = staged.take("big.bin");
            assertThat(second.file()).isNotEqualTo(first.file());
            assertThat(Files.readAllBytes(first.file())).isEqualTo(a);
            assertThat(Files.readAllBytes(second.file())).isEqualTo(b);
        }
    }

    @Test
    void aStagedFileWhoseDirectoryWasRemovedIsNotHandedOver(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("gone"));
        byte[] a = bytes(CHUNK, 8);
        try (StagedFiles staged = new StagedFiles(root)) {
            staged.write(new Placement("gone/big.bin", 0), Hashing.sha256Hex(a), direct(a));
            for (Path t : temps(root.resolve("gone"))) Files.delete(t);
            Files.delete(root.resolve("gone"));
            assertThat(staged.take("gone/big.bin")).isNull();
        }
    }

    @Test
    void closingRemovesEveryStagedFile(@TempDir Path root) throws Exception {
        byte[] a = bytes(CHUNK, 9);
        StagedFiles staged = new StagedFiles(root);
        staged.write(new Placement("one.bin", 0), Hashing.sha256Hex(a), direct(a));
        staged.write(new Placement("two.bin", 0), Hashing.sha256Hex(a), direct(a));
        assertThat(temps(root)).hasSize(2);
        staged.close();
        assertThat(temps(root)).isEmpty();
        assertThat(staged.take("one.bin")).isNull();
    }

    @Test
    void aStagedFileNoChunkWasWrittenToLatelyIsRemoved(@TempDir Path root) throws Exception {
        byte[] a = bytes(CHUNK, 11);
        try (StagedFiles staged = new StagedFiles(root, 200)) {
            staged.write(new Placement("old.bin", 0), Hashing.sha256Hex(a), direct(a));
            staged.dropAbandoned();
            assertThat(temps(root)).as("written just now").hasSize(1);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                staged.dropAbandoned();
                assertThat(temps(root)).isEmpty();
            });
            assertThat(staged.take("old.bin")).isNull();
        }
    }

    @Test
    void atMostSoManyFilesAreStagedAtOnce(@TempDir Path root) throws Exception {
        byte[] a = bytes(4096, 10);
        try (StagedFiles staged = new StagedFiles(root)) {
            for (int i = 0; i <= StagedFiles.MAX_STAGED; i++) {
                staged.write(new Placement("f" + i, 0), Hashing.sha256Hex(a), ByteBuffer.wrap(a));
            }
            assertThat(staged.openCount()).isEqualTo(StagedFiles.MAX_STAGED);
            assertThat(staged.take("f" + StagedFiles.MAX_STAGED)).isNull();
            assertThat(temps(root)).hasSize(StagedFiles.MAX_STAGED);
        }
    }

    @Test
    void placementsOutsideTheFolderOrOffChunkBoundariesAreRefused() {
        assertThatThrownBy(() -> new Placement("../escape.bin", 0)).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> new Placement(".pickbox/blobs/x", 0)).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> new Placement("/abs.bin", 0)).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> new Placement("a.bin", 12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Placement("a.bin", -CHUNK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Placement("a.bin", Placement.MAX_OFFSET + CHUNK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Placement("caf\u0065\u0301.bin", CHUNK).path()).as("the committed (NFC) form")
                .isEqualTo("caf\u00e9.bin");
    }
}
