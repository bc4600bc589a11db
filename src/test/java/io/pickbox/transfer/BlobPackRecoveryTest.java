package io.pickbox.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.Hashing;
import io.pickbox.os.Durability;
import io.pickbox.os.PowerCut;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/** Damaged records, packs of the old format, and power cuts while appending. */
class BlobPackRecoveryTest {

    @TempDir
    Path dir;

    private final Random random = new Random(11);

    @AfterEach
    void realDurability() {
        Durability.use(Durability.REAL);
    }

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

    private Path onlyPack(Path in) throws IOException {
        try (Stream<Path> files = Files.list(in)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pack")).findFirst().orElseThrow();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /** Offset of record {@code i} in a pack of records of the given sizes. */
    private static long offsetOf(int i, int... sizes) {
        long at = 0;
        for (int k = 0; k < i; k++) at += PackRecords.HEADER + sizes[k];
        return at;
    }

    @Test
    void aDamagedRecordInTheMiddleCostsOnlyItselfWhenThePackIsReadAgain() throws IOException {
        byte[] a = blob(4000), b = blob(3000), c = blob(100), d = blob(2000);
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c, d)) pack.put(sha(x), ByteBuffer.wrap(x));
            pack.sync();
        }
        Path file = onlyPack(dir);
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offsetOf(1, 4000, 3000) + 5); // b's length
            raf.write(0x7f);
        }
        // the locations lost (a store moved aside): the whole pack is read again
        deleteTree(dir.resolve("locations"));
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(read(pack, a)).isEqualTo(a);
            assertThat(pack.has(sha(b))).isFalse();
            assertThat(read(pack, c)).as("a record after the damaged one").isEqualTo(c);
            assertThat(read(pack, d)).as("and the one after it").isEqualTo(d);
            assertThat(Files.size(file)).as("nothing valid is cut off").isEqualTo(size);
            pack.put(sha(b), ByteBuffer.wrap(b));
            pack.sync();
        }
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c, d)) assertThat(read(pack, x)).isEqualTo(x);
        }
    }

    @Test
    void anEmptyBlobAtTheEndOfAPackIsReadWhenThePackIsReadAgain() throws IOException {
        byte[] a = blob(300), empty = blob(0);
        try (BlobPack pack = new BlobPack(dir)) {
            pack.put(sha(a), ByteBuffer.wrap(a));
            pack.put(sha(empty), ByteBuffer.wrap(empty));
            pack.sync();
        }
        deleteTree(dir.resolve("locations"));
        try (BlobPack pack = new BlobPack(dir)) {
            assertThat(read(pack, a)).isEqualTo(a);
            assertThat(read(pack, empty)).as("its record ends the pack").isEqualTo(empty);
        }
    }

    @Test
    void collectingAPackWithADamagedRecordKeepsTheRecordsAfterIt() throws IOException {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) blobs.add(blob(3000));
        Set<String> needed = Set.of(sha(blobs.get(0)), sha(blobs.get(9)));
        try (BlobPack pack = new BlobPack(dir, 100_000)) {
            for (byte[] x : blobs) pack.put(sha(x), ByteBuffer.wrap(x));
            pack.sync();
            Path file = onlyPack(dir);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(offsetOf(4, 3000, 3000, 3000, 3000) + 4); // record 4's length: reading it alone would lose its place
                raf.writeInt(7);
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));

            pack.collect(needed::contains, Instant.now().minusSeconds(60));

            assertThat(file).as("rewritten: two records of ten were live").doesNotExist();
            assertThat(read(pack, blobs.get(0))).isEqualTo(blobs.get(0));
            assertThat(read(pack, blobs.get(9))).as("needed, after the damaged record").isEqualTo(blobs.get(9));
            assertThat(pack.read(sha(blobs.get(4)))).as("its pack is gone: forgotten, fetched again when needed").isNull();
            assertThat(pack.has(sha(blobs.get(4)))).isFalse();
        }
        try (BlobPack pack = new BlobPack(dir, 100_000)) {
            for (String s : needed) assertThat(Hashing.sha256Hex(pack.read(s))).isEqualTo(s);
        }
    }

    @Test
    void packsOfTheFormatBeforeTheMagicAreStillRead() throws IOException {
        byte[] a = blob(500), b = blob(0), c = blob(7000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (byte[] x : List.of(a, b, c)) {
            out.writeInt(x.length);
            out.write(HexFormat.of().parseHex(sha(x)));
            out.write(x);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("000001.pack"), bytes.toByteArray());
        byte[] d = blob(300);
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c)) assertThat(read(pack, x)).isEqualTo(x);
            pack.put(sha(d), ByteBuffer.wrap(d));
            pack.sync();
        }
        deleteTree(dir.resolve("locations"));
        try (BlobPack pack = new BlobPack(dir)) {
            for (byte[] x : List.of(a, b, c, d)) assertThat(read(pack, x)).isEqualTo(x);
        }
    }

    /**
     * A power cut at every sync point of appending (records, syncs, a pack rolled and a new one
     * made): every blob whose sync returned is read back whole, and the pack takes new blobs.
     */
    @Test
    void aPowerCutAtAnyPointOfAppendingLosesNothingSynced() throws IOException {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 24; i++) blobs.add(blob(1 + random.nextInt(6000)));
        for (int n = 1; ; n++) {
            Path packs = Files.createDirectories(dir.resolve("run" + n));
            PowerCut cut = PowerCut.over(packs, p -> p.getFileName().toString().equals("locations")).cutAt(n);
            List<byte[]> synced = new ArrayList<>();
            try (BlobPack pack = new BlobPack(packs, 20_000)) {
                List<byte[]> since = new ArrayList<>();
                for (int i = 0; i < blobs.size(); i++) {
                    pack.put(sha(blobs.get(i)), ByteBuffer.wrap(blobs.get(i)));
                    since.add(blobs.get(i));
                    if (i % 3 == 2) {
                        pack.sync();
                        synced.addAll(since);
                        since.clear();
                    }
                }
            } catch (PowerCut.Cut expected) {
                // the machine went off here
            }
            boolean wasCut = cut.cut();
            cut.restore();
            try (BlobPack pack = new BlobPack(packs, 20_000)) {
                for (byte[] x : synced) assertThat(read(pack, x)).as("cut at point %d", n).isEqualTo(x);
                byte[] more = blob(100);
                pack.put(sha(more), ByteBuffer.wrap(more));
                pack.sync();
                assertThat(read(pack, more)).isEqualTo(more);
            }
            if (!wasCut) {
                assertThat(n).as("sync points met").isGreaterThan(8);
                break;
            }
        }
    }

    @Test
    void aChunkStoredInANewShardSurvivesAPowerCutRightAfter() throws IOException {
        byte[] chunk = blob(Hashing.CHUNK_SIZE);
        PowerCut cut = PowerCut.over(dir, p -> p.getFileName().toString().equals("locations"));
        try (BlobStore blobs = new BlobStore(dir)) {
            blobs.put(sha(chunk), ByteBuffer.wrap(chunk));
        }
        cut.restore();
        try (BlobStore blobs = new BlobStore(dir)) {
            assertThat(blobs.has(sha(chunk))).isTrue();
            assertThat(blobs.read(sha(chunk))).isEqualTo(chunk);
        }
    }
}
