package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putVerifiesAndStoresUnderTheHash() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] data = bytes("content");
        String sha = Hashing.sha256Hex(data);
        blobs.put(sha, ByteBuffer.wrap(data));
        assertThat(blobs.has(sha)).isTrue();
        assertThat(blobs.read(sha)).isEqualTo(data);
        String other = Hashing.sha256Hex(bytes("other"));
        assertThatThrownBy(() -> blobs.put(other, ByteBuffer.wrap(data))).hasMessageContaining("hash mismatch");
        assertThat(blobs.has(other)).isFalse();
        assertThatThrownBy(() -> blobs.put(other, new ByteArrayInputStream(data), 100)).hasMessageContaining("hash mismatch");
        assertThat(blobs.has(other)).isFalse();
    }

    /** The chunk of zeros (a sparse file's holes) is always held, never stored: not sent, fetched or kept. */
    @Test
    void theChunkOfZerosIsHeldWithoutBeingStored() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        String zeros = Hashing.ZERO_CHUNK_SHA256;
        assertThat(blobs.has(zeros)).isTrue();
        blobs.put(zeros, ByteBuffer.wrap(new byte[Hashing.CHUNK_SIZE]));
        assertThat(blobs.path(zeros)).doesNotExist();

        byte[] other = new byte[Hashing.CHUNK_SIZE];
        java.util.Arrays.fill(other, (byte) 7);
        ByteBuffer reused = blobs.newChunkBuffer();
        reused.put(other).flip(); // a buffer that held another chunk
        ByteBuffer read = blobs.readVerified(zeros, reused);
        assertThat(read.remaining()).isEqualTo(Hashing.CHUNK_SIZE);
        assertThat(Hashing.sha256Hex(read)).isEqualTo(zeros);
        assertThat(blobs.readVerified(zeros)).isEqualTo(new byte[Hashing.CHUNK_SIZE]);
        try (java.io.InputStream in = blobs.open(zeros)) {
            assertThat(Hashing.sha256Hex(in.readAllBytes())).isEqualTo(zeros);
        }
    }

    @Test
    void unsyncedBlobsAreReadableAndSyncedLater() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] data = bytes("small file");
        String sha = Hashing.sha256Hex(data);
        blobs.putUnsynced(sha, ByteBuffer.wrap(data));
        assertThat(blobs.read(sha)).isEqualTo(data);
        blobs.syncUnsynced();
        blobs.syncUnsynced(); // nothing left: a no-op
        assertThat(blobs.read(sha)).isEqualTo(data);
        assertThat(blobs.path(sha)).as("packed, not a file of its own").doesNotExist();
        blobs.close();
        try (BlobStore reopened = new BlobStore(dir)) {
            assertThat(reopened.read(sha)).isEqualTo(data);
            assertThat(reopened.open(sha).readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void aVerifiedReadReturnsIntactBlobsAndDropsAFullChunkTheDiskDamaged() throws IOException {
        byte[] small = bytes("a small file's only chunk");
        byte[] full = new byte[Hashing.CHUNK_SIZE];
        new java.util.Random(3).nextBytes(full);
        String smallSha = Hashing.sha256Hex(small), fullSha = Hashing.sha256Hex(full);
        try (BlobStore blobs = new BlobStore(dir)) {
            blobs.put(smallSha, ByteBuffer.wrap(small));
            blobs.put(fullSha, ByteBuffer.wrap(full));
            assertThat(blobs.readVerified(smallSha)).isEqualTo(small);
            assertThat(blobs.readVerified(fullSha)).isEqualTo(full);
            ByteBuffer reuse = blobs.newChunkBuffer();
            assertThat(bytesOf(blobs.readVerified(smallSha, reuse))).isEqualTo(small);
            assertThat(bytesOf(blobs.readVerified(fullSha, reuse))).isEqualTo(full);

            byte[] damaged = full.clone();
            damaged[12345] ^= 1;
            Files.write(blobs.path(fullSha), damaged);
            assertThat(blobs.read(fullSha)).as("an unverified read returns what is there").isEqualTo(damaged);
            assertThatThrownBy(() -> blobs.readVerified(fullSha)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                    .hasMessageContaining("did not match its hash");
            assertThat(blobs.has(fullSha)).as("dropped, so that it is fetched again").isFalse();
            assertThatThrownBy(() -> blobs.readVerified(Hashing.sha256Hex(bytes("never stored"))))
                    .isInstanceOf(java.nio.file.NoSuchFileException.class);

            // The same into a reused buffer (a large file's chunks, one after another).
            blobs.put(fullSha, ByteBuffer.wrap(full));
            Files.write(blobs.path(fullSha), damaged);
            assertThatThrownBy(() -> blobs.readVerified(fullSha, reuse)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                    .hasMessageContaining("did not match its hash");
            assertThat(blobs.has(fullSha)).as("dropped, so that it is fetched again").isFalse();
        }
    }

    private static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** After a crash before the sync, a blob can be torn: replaying its log entry writes it again. */
    @Test
    void aTornUnsyncedBlobIsWrittenAgainWhenItsEntryIsReplayed() throws IOException {
        byte[] data = bytes("small file written twice");
        String sha = Hashing.sha256Hex(data);
        try (BlobStore blobs = new BlobStore(dir)) {
            blobs.putUnsynced(sha, ByteBuffer.wrap(data));
        }
        Path pack;
        try (var packs = Files.list(dir.resolve("packs"))) {
            pack = packs.filter(p -> p.toString().endsWith(".pack")).findFirst().orElseThrow();
        }
        Files.write(pack, java.util.Arrays.copyOf(Files.readAllBytes(pack), (int) Files.size(pack) - 5));
        try (BlobStore blobs = new BlobStore(dir)) {
            assertThat(blobs.has(sha)).isFalse();
            blobs.putUnsynced(sha, ByteBuffer.wrap(data));
            blobs.syncUnsynced();
            assertThat(blobs.read(sha)).isEqualTo(data);
        }
        try (BlobStore blobs = new BlobStore(dir)) {
            assertThat(blobs.read(sha)).isEqualTo(data);
        }
    }

    @Test
    void aFullChunkIsAFileAndAShorterBlobIsPacked() throws IOException {
        try (BlobStore blobs = new BlobStore(dir)) {
            byte[] full = new byte[Hashing.CHUNK_SIZE];
            new java.util.Random(3).nextBytes(full);
            byte[] tail = java.util.Arrays.copyOf(full, 1000);
            blobs.put(Hashing.sha256Hex(full), ByteBuffer.wrap(full));
            blobs.put(Hashing.sha256Hex(tail), ByteBuffer.wrap(tail));
            assertThat(blobs.path(Hashing.sha256Hex(full))).exists();
            assertThat(blobs.path(Hashing.sha256Hex(tail))).doesNotExist();
            ByteBuffer reuse = blobs.newChunkBuffer();
            assertThat(Hashing.sha256Hex(blobs.read(Hashing.sha256Hex(tail), reuse))).isEqualTo(Hashing.sha256Hex(tail));
            assertThat(Hashing.sha256Hex(blobs.read(Hashing.sha256Hex(full), reuse))).isEqualTo(Hashing.sha256Hex(full));
            blobs.drop(Hashing.sha256Hex(tail));
            blobs.drop(Hashing.sha256Hex(full));
            assertThat(blobs.has(Hashing.sha256Hex(tail))).isFalse();
            assertThat(blobs.has(Hashing.sha256Hex(full))).isFalse();
        }
    }

    @Test
    void collectRemovesOnlyUnneededBlobsOlderThanTheCutoff() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        String keep = Hashing.sha256Hex(bytes("keep"));
        String drop = Hashing.sha256Hex(bytes("drop"));
        blobs.put(keep, ByteBuffer.wrap(bytes("keep")));
        blobs.putUnsynced(drop, ByteBuffer.wrap(bytes("drop")));
        assertThat(blobs.collect(keep::equals, java.time.Instant.now().minusSeconds(60))).isZero();
        assertThat(blobs.collect(keep::equals, java.time.Instant.now().plusSeconds(60))).isEqualTo(1);
        assertThat(blobs.has(keep)).isTrue();
        assertThat(blobs.has(drop)).isFalse();
        blobs.syncUnsynced(); // a collected blob is no error
    }

    /** Full chunks take the direct-I/O path, short ones the page cache; both read back the same. */
    @Test
    void chunksStreamedInAreStoredAndReadBackWhateverTheirSize() throws Exception {
        BlobStore blobs = new BlobStore(dir);
        java.util.Random random = new java.util.Random(5);
        ByteBuffer reuse = blobs.newChunkBuffer();
        for (int size : new int[] {Hashing.CHUNK_SIZE, 64 * 1024, 5_000, 1}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            String sha = Hashing.sha256Hex(data);
            blobs.put(sha, new ByteArrayInputStream(data), Hashing.CHUNK_SIZE);
            assertThat(blobs.read(sha)).as("%d bytes", size).isEqualTo(data);
            ByteBuffer read = blobs.read(sha, reuse);
            assertThat(read).as("read into a chunk buffer").isSameAs(reuse);
            byte[] back = new byte[read.remaining()];
            read.get(back);
            assertThat(back).isEqualTo(data);
        }
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".tmp-"))).as("temp files left").isEmpty();
        }
    }

    @Test
    void aStreamedChunkTooLargeOrNotMatchingItsHashLeavesNothing() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] tooLarge = new byte[Hashing.CHUNK_SIZE + 1];
        String sha = Hashing.sha256Hex(tooLarge);
        assertThatThrownBy(() -> blobs.put(sha, new ByteArrayInputStream(tooLarge), Hashing.CHUNK_SIZE))
                .isInstanceOfSatisfying(BlobStore.RejectedBlobException.class, e -> assertThat(e.tooLarge()).isTrue());
        byte[] full = new byte[Hashing.CHUNK_SIZE];
        String wrong = Hashing.sha256Hex(bytes("something else"));
        assertThatThrownBy(() -> blobs.put(wrong, new ByteArrayInputStream(full), Hashing.CHUNK_SIZE))
                .isInstanceOfSatisfying(BlobStore.RejectedBlobException.class, e -> assertThat(e.tooLarge()).isFalse());
        assertThat(blobs.has(sha)).isFalse();
        assertThat(blobs.has(wrong)).isFalse();
        try (var files = Files.walk(dir)) {
            // (the store that locates small blobs aside)
            assertThat(files.filter(Files::isRegularFile).filter(f -> !f.startsWith(dir.resolve("packs/locations"))))
                    .as("files left").isEmpty();
        }
    }

    /** More receives at once than pooled chunk buffers: the rest stream through small buffers. */
    @Test
    void manyChunksStreamedInAtOnceAreAllStored() throws Exception {
        BlobStore blobs = new BlobStore(dir);
        int count = 12;
        java.util.List<byte[]> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[Hashing.CHUNK_SIZE];
            new java.util.Random(i).nextBytes(data);
            chunks.add(data);
        }
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(count);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (byte[] data : chunks) {
                done.add(pool.submit(() -> {
                    start.await();
                    blobs.put(Hashing.sha256Hex(data), new ByteArrayInputStream(data), Hashing.CHUNK_SIZE);
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (byte[] data : chunks) assertThat(blobs.read(Hashing.sha256Hex(data))).isEqualTo(data);
    }
}
