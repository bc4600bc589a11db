package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class BlobPackTest {

    @TempDir
    Path dir;

    private final Random random = new Random(7);

    private byte[] blob(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) {
        return Hashing.sha256Hex(b);
    }

    private static byte[] read(BlobPack pack, byte[] b) throws IOException {
        ByteBuffer buf = pack.read(sha(b));
        return buf == null ? null : buf.array();
    }

    private List<Path> packFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pack")).sorted().toList();
        }
    }

    @Test
    void blobsSurviveReopeningAndAreStoredOnce() throws IOException {
        List<byte[]> blobs = new ArrayList<>();
        try (BlobPack pack = new BlobPack(dir)) {
            for (int i = 0; i < 50; i++) blobs.add(blob(i * 37));
            for (byte[] b : blobs) pack.put(sha(b), ByteBuffer.wrap(b));
            long size = Files.size(packFiles().get(0));
            pack.put(sha(blobs.get(3)), ByteBuffer.wrap(blobs.get(3)));
            pack.sync();
            assertThat(Files.size(packFiles().get(0))).as("a blob already here is not appended again").isEqualTo(size);
            for (byte[] b : blobs) assertThat(read(pack, b)).isEqualTo(b);
            assertThat(pack.read(sha(blob(10)))).isNull();
        }
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(pack.size()).isEqualTo(50);
            for (byte[] b : blobs) assertThat(read(pack, b)).isEqualTo(b);
        }
    }

    @Test
    void aPackCutShortUnderARunningNodeLosesOnlyTheBlobsPastItsEnd() throws IOException {
        byte[] a = blob(4096), b = blob(4096);
        try (BlobPack pack = new BlobPack(dir)) {
            pack.put(sha(a), ByteBuffer.wrap(a));
            pack.put(sha(b), ByteBuffer.wrap(b));
            pack.sync();
            try (RandomAccessFile raf = new RandomAccessFile(packFiles().get(0).toFile(), "rw")) {
                raf.setLength(raf.length() - 10);
            }
            assertThat(pack.read(sha(b))).as("its record ends past the pack: forgotten, fetched again when needed").isNull();
            assertThat(pack.has(sha(b))).isFalse();
            assertThat(read(pack, a)).isEqualTo(a);
        }
    }

    @Test
    void aTornTailIsCutAtStartAndWritingGoesOn() throws IOException {
        byte[] a = blob(4096), b = blob(4096), c = blob(100);
        try (BlobPack pack = new BlobPack(dir)) {
            pack.put(sha(a), ByteBuffer.wrap(a));
            pack.sync();
            pack.put(sha(b), ByteBuffer.wrap(b));
            // closed before b's sync: a crash, as far as the pack knows
        }
        Path file = packFiles().get(0);
        long withB = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(withB - 10);
            raf.write(0x5a); // b's bytes, never synced, were torn
            raf.seek(withB);
            raf.write(new byte[]{0, 0, 1}); // and a record torn in its length
        }
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(read(pack, a)).isEqualTo(a);
            assertThat(pack.has(sha(b))).isFalse();
            assertThat(Files.size(file)).isEqualTo(withB - PackRecords.HEADER - 4096);
            pack.put(sha(b), ByteBuffer.wrap(b));
            pack.put(sha(c), ByteBuffer.wrap(c));
            pack.sync();
        }
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c)) assertThat(read(pack, x)).isEqualTo(x);
        }
    }

    @Test
    void aRecordDamagedAfterItsSyncIsForgottenWhenReadAndTheOthersStay() throws IOException {
        byte[] a = blob(4096), b = blob(4096), c = blob(100);
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c)) pack.put(sha(x), ByteBuffer.wrap(x));
            pack.sync();
        }
        Path file = packFiles().get(0);
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(PackRecords.HEADER + 4096 + PackRecords.HEADER + 100); // inside b's bytes
            raf.write(~raf.read());
        }
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(pack.read(sha(b))).as("b no longer matches its hash").isNull();
            assertThat(pack.has(sha(b))).isFalse();
            assertThat(read(pack, a)).isEqualTo(a);
            assertThat(read(pack, c)).as("a record after the damaged one").isEqualTo(c);
            assertThat(Files.size(file)).isEqualTo(size);
            pack.put(sha(b), ByteBuffer.wrap(b));
            pack.sync();
            assertThat(read(pack, b)).isEqualTo(b);
        }
    }

    @Test
    void startingReadsOnlyWhatWasAppendedSinceTheLastSync() throws IOException {
        byte[] a = blob(4096), b = blob(4096);
        try (BlobPack pack = new BlobPack(dir)) {
            pack.put(sha(a), ByteBuffer.wrap(a));
            pack.sync();
        }
        Path file = packFiles().get(0);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(PackRecords.HEADER + 100);
            raf.write(~raf.read()); // damage a synced record: start-up does not read it to notice
        }
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(pack.has(sha(a))).as("located from the store, not by reading the pack").isTrue();
            pack.put(sha(b), ByteBuffer.wrap(b));
        }
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(read(pack, b)).as("appended, never synced, found at start-up").isEqualTo(b);
        }
    }

    @Test
    void packsWrittenBeforeLocationsWereStoredAreMappedOnce() throws IOException {
        List<byte[]> blobs = new ArrayList<>();
        try (BlobPack pack = new BlobPack(dir)) {
            for (int i = 0; i < 20; i++) blobs.add(blob(100 + i));
            for (byte[] x : blobs) pack.put(sha(x), ByteBuffer.wrap(x));
            pack.sync();
        }
        // an older version kept the locations in memory only: no store beside the packs
        deleteTree(dir.resolve("locations"));
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(pack.size()).isEqualTo(20);
            for (byte[] x : blobs) assertThat(read(pack, x)).isEqualTo(x);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    @Test
    void aFullPackIsSealedAndANewOneStarted() throws IOException {
        try (BlobPack pack = new BlobPack(dir, 10_000)) {
            for (int i = 0; i < 10; i++) {
                byte[] b = blob(3000);
                pack.put(sha(b), ByteBuffer.wrap(b));
            }
        }
        List<Path> files = packFiles();
        assertThat(files).hasSize(4);
        for (Path f : files) assertThat(Files.size(f)).isLessThanOrEqualTo(10_000);
        try (BlobPack pack = new BlobPack(dir, 10_000)) {
            assertThat(pack.size()).isEqualTo(10);
        }
    }

    @Test
    void collectDropsUnneededBlobsAndEmptiesOrRewritesOldPacks() throws IOException {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) blobs.add(blob(3000));
        Set<String> needed = ConcurrentHashMap.newKeySet();
        // packs of three blobs: 1 keeps none, 2 keeps one (rewritten), 3 keeps two (left), 4 is current
        needed.add(sha(blobs.get(3)));
        needed.add(sha(blobs.get(6)));
        needed.add(sha(blobs.get(7)));
        try (BlobPack pack = new BlobPack(dir, 9_200)) {
            for (byte[] b : blobs) pack.put(sha(b), ByteBuffer.wrap(b));
            List<Path> before = packFiles();
            assertThat(before).hasSize(4);
            assertThat(pack.collect(needed::contains, Instant.now().minusSeconds(3600))).as("nothing sealed before the cutoff").isZero();
            for (Path p : before.subList(0, 3)) Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));

            assertThat(pack.collect(needed::contains, Instant.now().minusSeconds(60))).isEqualTo(6);

            assertThat(packFiles()).doesNotContain(before.get(0), before.get(1)).contains(before.get(2), before.get(3));
            for (int i = 0; i < 12; i++) {
                boolean kept = needed.contains(sha(blobs.get(i))) || i >= 9;
                assertThat(pack.has(sha(blobs.get(i)))).as("blob %d", i).isEqualTo(kept);
                if (kept) assertThat(read(pack, blobs.get(i))).isEqualTo(blobs.get(i));
            }
        }
        try (BlobPack pack = new BlobPack(dir, 9_200)) {
            for (String s : needed) assertThat(Hashing.sha256Hex(pack.read(s))).isEqualTo(s);
            for (int i : new int[]{0, 1, 2, 4, 5}) assertThat(pack.has(sha(blobs.get(i)))).as("gone with its pack").isFalse();
        }
    }

    @Test
    void concurrentWritersReadersAndCollectionsAgree() throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 400; i++) blobs.add(blob(1 + random.nextInt(5000)));
        Set<String> needed = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < blobs.size(); i += 2) needed.add(sha(blobs.get(i)));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (BlobPack pack = new BlobPack(dir, 50_000)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                work.add(pool.submit(() -> {
                    for (int i = first; i < blobs.size(); i += 4) {
                        pack.put(sha(blobs.get(i)), ByteBuffer.wrap(blobs.get(i)));
                        if (i % 8 == 0) pack.sync();
                        byte[] back = read(pack, blobs.get(i));
                        if (back != null && !java.util.Arrays.equals(back, blobs.get(i))) throw new AssertionError("blob " + i + " read back wrong");
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                for (int k = 0; k < 20; k++) pack.collect(needed::contains, Instant.now().plusSeconds(1));
                return null;
            }));
            for (Future<?> f : work) f.get(30, TimeUnit.SECONDS);
            pack.collect(needed::contains, Instant.now().plusSeconds(1));
            for (String s : needed) assertThat(Hashing.sha256Hex(pack.read(s))).isEqualTo(s);
        } finally {
            pool.shutdownNow();
        }
        try (BlobPack pack = new BlobPack(dir, 50_000)) {
            for (String s : needed) assertThat(Hashing.sha256Hex(pack.read(s))).isEqualTo(s);
        }
    }

    /** A reader interrupted mid-read must not close the pack for every other thread (as a FileChannel would). */
    @Test
    void anInterruptedReaderLeavesThePackReadable() throws Exception {
        byte[] b = blob(4096);
        try (BlobPack pack = new BlobPack(dir)) {
            pack.put(sha(b), ByteBuffer.wrap(b));
            CountDownLatch done = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    pack.read(sha(b));
                } catch (IOException ignored) {
                    // whatever this thread sees, others must still read
                }
                done.countDown();
            });
            reader.start();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(read(pack, b)).isEqualTo(b);
        }
    }
}
