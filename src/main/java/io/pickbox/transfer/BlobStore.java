package io.pickbox.transfer;

import io.pickbox.folder.DirectIo;
import io.pickbox.folder.Hashing;
import io.pickbox.os.Durability;
import io.pickbox.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Content-addressed chunk store ({@code .pickbox/blobs/ab/abcdef...}). Writing is idempotent by
 * hash and every blob is verified before it becomes visible, so a blob present is a blob correct.
 * Blobs smaller than a chunk (small files, the tail of a large one) are appended to packs
 * ({@link BlobPack}) instead; those written by {@link #putUnsynced} become durable at the next
 * {@link #syncUnsynced} (their entry is not acknowledged until then, so it is sent again).
 */
public final class BlobStore implements AutoCloseable {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * How long a receive waits for a pooled aligned buffer before it takes a heap buffer (and the
     * page cache): a sender keeps up to 8 chunks in flight, more than the pool holds.
     */
    private static final long POOL_WAIT_MILLIS = 2_000;
    /** Zeros to copy from, a piece at a time, into a buffer that held another chunk. */
    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();

    private final Path dir;
    private final DirectIo direct;
    private final BlobPack pack;

    /** Blobs in {@code dir}, where small ones are located through a store of their own (tests, tools). */
    public BlobStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.direct = new DirectIo(this.dir, Hashing.CHUNK_SIZE);
        this.pack = new BlobPack(this.dir.resolve("packs"));
    }

    /** Blobs in {@code dir}, where small ones are located through {@code store} (the node's). */
    public BlobStore(Path dir, Store store) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.direct = new DirectIo(this.dir, Hashing.CHUNK_SIZE);
        this.pack = new BlobPack(this.dir.resolve("packs"), store);
    }

    public static boolean isHash(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** Where the blob of a full chunk is kept (shorter ones are packed). */
    public Path path(String sha256) {
        if (!isHash(sha256)) throw new IllegalArgumentException("not a sha256 hash: " + sha256);
        return dir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /**
     * Whether the blob is here. The chunk of zeros always is, without being stored: its bytes are
     * known, so it is never sent, fetched or kept (a sparse file has thousands of them).
     */
    public boolean has(String sha256) {
        return isZeros(sha256) || pack.has(sha256) || Files.exists(path(sha256));
    }

    private static boolean isZeros(String sha256) {
        return Hashing.ZERO_CHUNK_SHA256.equals(sha256);
    }

    /** The chunk of zeros, in {@code reuse} (flipped) when it fits. */
    private static ByteBuffer zeros(ByteBuffer reuse) {
        if (reuse.capacity() < Hashing.CHUNK_SIZE) return ByteBuffer.allocate(Hashing.CHUNK_SIZE);
        reuse.clear().limit(Hashing.CHUNK_SIZE);
        while (reuse.hasRemaining()) reuse.put(ZERO_PAGE.duplicate().limit(Math.min(ZERO_PAGE.capacity(), reuse.remaining())));
        return reuse.flip();
    }

    /** Stores {@code data} under its hash; fails if the bytes do not hash to {@code sha256}. */
    public void put(String sha256, ByteBuffer data) throws IOException {
        put(sha256, data, false);
    }

    /**
     * As {@link #put(String, ByteBuffer)}; {@code verified} skips hashing bytes already checked. A
     * full chunk in a buffer from {@link DirectIo} is written past the page cache.
     */
    public void put(String sha256, ByteBuffer data, boolean verified) throws IOException {
        Path target = path(sha256);
        if (has(sha256)) return;
        if (!verified) {
            String actual = Hashing.sha256Hex(data);
            if (!actual.equals(sha256)) throw new IOException("chunk hash mismatch: expected " + sha256 + ", got " + actual);
        }
        if (data.remaining() < Hashing.CHUNK_SIZE) {
            pack.put(sha256, data);
            pack.sync();
            return;
        }
        Path tmp = tempFor(target);
        try {
            if (!direct.writeNew(tmp, data)) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer b = data.duplicate();
                    while (b.hasRemaining()) ch.write(b);
                }
            }
            Durability.current().force(tmp);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        publish(tmp, target);
    }

    /**
     * Stores a small file's bytes (less than a chunk) in a pack without a flush, so that the files
     * of one Raft entry are made durable by one {@link #syncUnsynced}.
     */
    public void putUnsynced(String sha256, ByteBuffer data) throws IOException {
        if (data.remaining() >= Hashing.CHUNK_SIZE) {
            put(sha256, data, true);
            return;
        }
        pack.put(sha256, data);
    }

    /** Makes every blob written by {@link #putUnsynced} so far durable. */
    public void syncUnsynced() throws IOException {
        pack.sync();
    }

    /** A blob refused for what it is (too large, or not matching its hash), not for an I/O failure. */
    public static final class RejectedBlobException extends IOException {
        private final boolean tooLarge;

        RejectedBlobException(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /**
     * Stores a blob read from {@code in} (at most {@code maxBytes}, no more than a chunk), verifying
     * its hash before it becomes visible; it is read into a pooled aligned buffer (waiting a little
     * for one to be free), so that a full chunk is written past the page cache.
     *
     * @throws RejectedBlobException when it is larger than {@code maxBytes} or does not match its hash
     */
    public void put(String sha256, InputStream in, long maxBytes) throws IOException {
        put(sha256, in, maxBytes, null);
    }

    /**
     * As {@link #put(String, InputStream, long)}, first offering the verified bytes to {@code placed}
     * (when not null), which must not keep the buffer: when it returns true it holds them where they
     * belong (the file they are part of) and no blob is written.
     */
    public void put(String sha256, InputStream in, long maxBytes, Predicate<ByteBuffer> placed) throws IOException {
        if (maxBytes > Hashing.CHUNK_SIZE) throw new IllegalArgumentException("a blob holds one chunk at most");
        if (placed == null && has(sha256)) return;
        ByteBuffer pooled;
        try {
            pooled = direct.borrow(POOL_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a chunk buffer");
        }
        ByteBuffer buf = pooled != null ? pooled : ByteBuffer.allocate((int) maxBytes);
        try {
            MessageDigest md = Hashing.newSha256();
            byte[] piece = new byte[64 * 1024];
            for (int n; (n = in.read(piece)) > 0; ) {
                if (n > buf.remaining() || buf.position() + n > maxBytes) {
                    throw new RejectedBlobException("chunk larger than " + maxBytes + " bytes", true);
                }
                md.update(piece, 0, n);
                buf.put(piece, 0, n);
            }
            checkHash(md, sha256);
            buf.flip();
            if (placed != null && placed.test(buf.duplicate())) return;
            put(sha256, buf, true);
        } finally {
            direct.release(pooled);
        }
    }

    private static void checkHash(MessageDigest md, String sha256) throws RejectedBlobException {
        String actual = Hashing.hex(md.digest());
        if (!actual.equals(sha256)) {
            throw new RejectedBlobException("chunk hash mismatch: expected " + sha256 + ", got " + actual, false);
        }
    }

    /** A buffer for {@link #read(String, ByteBuffer)} that lets full chunks be read past the page cache. */
    public ByteBuffer newChunkBuffer() {
        return direct.newBuffer();
    }

    /**
     * Reads a blob into {@code reuse} (flipped: position 0, limit its size), or into a new heap
     * buffer if it does not fit; returns the buffer holding it.
     */
    public ByteBuffer read(String sha256, ByteBuffer reuse) throws IOException {
        if (isZeros(sha256)) return zeros(reuse);
        ByteBuffer packed = pack.read(sha256);
        return packed != null ? into(packed, reuse) : readLoose(path(sha256), reuse);
    }

    /** {@code packed} copied into {@code reuse} (flipped) when it fits, else itself. */
    private static ByteBuffer into(ByteBuffer packed, ByteBuffer reuse) {
        if (packed.remaining() > reuse.capacity()) return packed;
        reuse.clear();
        return reuse.put(packed).flip();
    }

    /** The full-chunk blob file {@code p}, as {@link #read(String, ByteBuffer)} reads it. */
    private ByteBuffer readLoose(Path p, ByteBuffer reuse) throws IOException {
        long size = Files.size(p);
        if (size > reuse.capacity()) return ByteBuffer.wrap(Files.readAllBytes(p));
        if (direct.readAll(p, size, reuse)) return reuse;
        reuse.clear().limit((int) size);
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
            while (reuse.hasRemaining() && in.read(reuse) >= 0) { }
        }
        return reuse.flip();
    }

    public byte[] read(String sha256) throws IOException {
        if (isZeros(sha256)) return new byte[Hashing.CHUNK_SIZE];
        ByteBuffer packed = pack.read(sha256);
        return packed != null ? packed.array() : Files.readAllBytes(path(sha256));
    }

    /**
     * The blob's bytes, checked against its hash: a packed blob is checked as it is read, a full
     * chunk here (checked when it was stored; a disk can damage it since). One that does not match
     * is dropped, so that it is fetched again, and is missing from then on.
     *
     * @throws java.nio.file.NoSuchFileException when it is not here, or was dropped as damaged
     */
    public byte[] readVerified(String sha256) throws IOException {
        if (isZeros(sha256)) return new byte[Hashing.CHUNK_SIZE];
        ByteBuffer packed = pack.read(sha256);
        if (packed != null) return packed.array();
        byte[] bytes = Files.readAllBytes(path(sha256));
        if (Hashing.sha256Hex(bytes).equals(sha256)) return bytes;
        throw dropDamaged(sha256);
    }

    /**
     * As {@link #readVerified(String)}, into {@code reuse} as {@link #read(String, ByteBuffer)} reads.
     *
     * @throws java.nio.file.NoSuchFileException when it is not here, or was dropped as damaged
     */
    public ByteBuffer readVerified(String sha256, ByteBuffer reuse) throws IOException {
        if (isZeros(sha256)) return zeros(reuse);
        ByteBuffer packed = pack.read(sha256);
        if (packed != null) return into(packed, reuse);
        ByteBuffer bytes = readLoose(path(sha256), reuse);
        if (Hashing.sha256Hex(bytes).equals(sha256)) return bytes;
        throw dropDamaged(sha256);
    }

    /** Drops a full-chunk blob found not to match its hash; the exception its reader throws. */
    private java.nio.file.NoSuchFileException dropDamaged(String sha256) throws IOException {
        drop(sha256);
        return new java.nio.file.NoSuchFileException(path(sha256).toString(), null, "did not match its hash: dropped");
    }

    /** A stream of the blob's bytes. */
    public InputStream open(String sha256) throws IOException {
        if (isZeros(sha256)) return new java.io.ByteArrayInputStream(new byte[Hashing.CHUNK_SIZE]);
        ByteBuffer packed = pack.read(sha256);
        return packed != null ? new java.io.ByteArrayInputStream(packed.array()) : Files.newInputStream(path(sha256));
    }

    /** Forgets a blob found not to match its hash, so that it is fetched again. */
    public void drop(String sha256) throws IOException {
        pack.remove(sha256);
        Files.deleteIfExists(path(sha256));
    }

    /** Deletes blobs not {@code needed} that were written before {@code cutoff}; returns how many. */
    public int collect(Predicate<String> needed, Instant cutoff) throws IOException {
        int removed = pack.collect(needed, cutoff);
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (!isHash(name) || needed.test(name)) continue;
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    private Path tempFor(Path target) throws IOException {
        // a blob renamed into a new shard is durable only once the shard's own entry is
        Durability.current().createDirectories(target.getParent());
        return target.resolveSibling(".tmp-" + UUID.randomUUID());
    }

    private static void publish(Path tmp, Path target) throws IOException {
        try {
            Durability.current().rename(tmp, target);
            Durability.current().forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        pack.close();
    }
}
