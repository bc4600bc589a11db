package io.pickbox.transfer;

import io.pickbox.folder.DirectIo;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Large files assembled on a receiving node while their chunks are pushed to it, before their
 * commit: each pushed chunk that names the path and offset it is for is written there, into a temp
 * file next to the path's target, and kept nowhere else (the node keeps one copy of the file's
 * bytes). When the file commits, the materializer takes that temp file, writes only the chunks it
 * does not hold yet, and renames it into place (the push and the assembly overlap). Nothing here
 * is visible as a file of the folder: the temp names are ignored and removed at start, after which
 * the chunks are fetched again from the peers' copies of the file.
 *
 * <p>What a peer may have staged is bounded: each chunk says the size of its file and lies within
 * it, a file is staged only when it fits on the disk with a margin kept free, and one peer's chunks
 * (in files being assembled, and those kept as blobs lately) stay under {@link #MAX_BYTES_PER_PEER}.
 */
public final class StagedFiles implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagedFiles.class);
    /** Files staged at once at most; pushes beyond it are stored as blobs. */
    static final int MAX_STAGED = 64;
    /**
     * A staged file not written to for this long belongs to an upload that did not commit, or whose
     * commit did not need it (the file was here already): its commit follows its last chunk at once.
     */
    static final long ABANDONED_MILLIS = 60_000;
    /**
     * Chunk bytes one peer may have staged here at once: as large as the largest upload the admin
     * API takes. Past it (or past the disk) its pushes are refused and it sends the rest through Raft.
     */
    public static final long MAX_BYTES_PER_PEER = 64L << 30;
    /** How long a pushed chunk kept as a blob counts against its peer: blobs no file needs are kept that long at least. */
    static final long BLOB_CHARGE_MILLIS = 10 * 60_000;
    /** The peer a chunk written by this node itself is charged to. */
    static final String SELF = "";

    /** A push refused for want of room: on the disk, or in the share one peer may stage. */
    public static final class NoRoomException extends IOException {
        NoRoomException(String message) {
            super(message);
        }
    }

    /** A staged file handed over at commit: which chunk (by hash) it holds at which offset. */
    public record Staged(Path file, Map<Long, String> chunks) {
        public String chunkAt(long offset) {
            return chunks.get(offset);
        }
    }

    private final Path root;
    private final DirectIo direct;
    private final Map<String, Open> open = new ConcurrentHashMap<>();
    private final LongAdder bytesUsed = new LongAdder();

    private final long abandonAfterMillis;
    private final FreeSpace space;
    private final long maxBytesPerPeer;
    /** Chunks kept as blobs lately, by peer: when and how many bytes. */
    private final Map<String, Deque<long[]>> blobCharges = new ConcurrentHashMap<>();

    public StagedFiles(Path root) {
        this(root, ABANDONED_MILLIS);
    }

    StagedFiles(Path root, long abandonAfterMillis) {
        this(root, abandonAfterMillis, FreeSpace.OF_FILE_STORE, MAX_BYTES_PER_PEER);
    }

    StagedFiles(Path root, long abandonAfterMillis, FreeSpace space, long maxBytesPerPeer) {
        this.root = root;
        this.direct = new DirectIo(root, Hashing.CHUNK_SIZE);
        this.abandonAfterMillis = abandonAfterMillis;
        this.space = space;
        this.maxBytesPerPeer = maxBytesPerPeer;
    }

    /**
     * Whether {@code peer} may push {@code length} bytes at {@code at} of a file of {@code fileSize}
     * bytes: within its share, and (for a file not staged yet) the whole file fits on the disk.
     *
     * @throws NoRoomException when it may not, saying why
     */
    public void checkRoom(String peer, Placement at, long fileSize, int length) throws IOException {
        long held = stagedBy(peer);
        if (held + length > maxBytesPerPeer) {
            throw new NoRoomException("this peer has " + held + " bytes staged here, and one peer may have "
                    + maxBytesPerPeer + " at most: send the rest through Raft");
        }
        Open f = open.get(at.path());
        long needed = f != null && f.fileSize == fileSize ? length : fileSize;
        long spare = space.spare(root);
        if (spare < needed) {
            throw new NoRoomException("the folder's disk has room for " + Math.max(0, spare) + " more bytes (a margin kept free), not "
                    + needed);
        }
    }

    /** Chunk bytes {@code peer} has staged here: in files being assembled, and chunks kept as blobs lately. */
    public long stagedBy(String peer) {
        long bytes = 0;
        for (Open f : open.values()) bytes += f.byPeer.getOrDefault(peer, 0L);
        Deque<long[]> charges = blobCharges.get(peer);
        if (charges != null) {
            long cutoff = System.currentTimeMillis() - BLOB_CHARGE_MILLIS;
            synchronized (charges) {
                while (!charges.isEmpty() && charges.peekFirst()[0] < cutoff) charges.removeFirst();
                for (long[] c : charges) bytes += c[1];
            }
        }
        return bytes;
    }

    /** Counts a chunk {@code peer} pushed that was kept as a blob (it could not be staged) against its share for a while. */
    public void chargeBlob(String peer, long bytes) {
        Deque<long[]> charges = blobCharges.computeIfAbsent(peer, p -> new ArrayDeque<>());
        synchronized (charges) {
            charges.addLast(new long[]{System.currentTimeMillis(), bytes});
        }
    }

    /** As {@link #write(Placement, long, String, String, ByteBuffer)}, for a file of a size not known, written by this node. */
    public boolean write(Placement at, String sha256, ByteBuffer chunk) {
        return write(at, 0, SELF, sha256, chunk);
    }

    /**
     * Writes {@code chunk} (already verified to hash to {@code sha256}) where {@code at} says, in the
     * file of {@code fileSize} bytes (0: not known) that {@code peer} is sending; false when it was
     * not written (the target's directory does not exist yet, too many files are staged, or the
     * write failed): the caller then keeps the chunk as a blob. Never throws.
     */
    public boolean write(Placement at, long fileSize, String peer, String sha256, ByteBuffer chunk) {
        Path target = PathValidator.resolve(root, at.path());
        if (!Files.isDirectory(target.getParent())) return false;
        int length = chunk.remaining();
        for (int attempt = 0; attempt < 3; attempt++) {
            Open f;
            try {
                f = open.computeIfAbsent(at.path(), p -> sized(create(p), fileSize));
            } catch (StagingFailed e) {
                LOG.debug("Cannot stage {}: {}", at.path(), e.getCause().toString());
                return false;
            }
            if (f == null) return false;
            if (f.fileSize != fileSize) {
                // Another version of the file is being sent now: the staged one is of no use.
                discard(at.path(), f);
                continue;
            }
            if (!f.lock.readLock().tryLock()) continue; // being taken: a new upload gets a new file
            try {
                if (f.taken) continue;
                // One offset is written and recorded as one step, so that the record always names
                // what the file holds even when two reads of a changing file push the same offset.
                f.chunks.compute(at.offset(), (o, old) -> {
                    f.write(chunk.duplicate(), o);
                    if (old == null) f.byPeer.merge(peer, (long) length, Long::sum);
                    return sha256;
                });
                f.lastWrite = System.currentTimeMillis();
                return true;
            } catch (StagingFailed e) {
                LOG.debug("Staging {} failed: {}", at.path(), e.getCause().toString());
            } finally {
                f.lock.readLock().unlock();
            }
            discard(at.path(), f); // only reached when the write failed
            return false;
        }
        return false;
    }

    /**
     * The staged file of {@code path}, now the caller's to complete or delete; null when none is.
     * Chunks pushed for the path after this go to a new staged file.
     */
    public Staged take(String path) {
        Open f = open.remove(path);
        if (f == null) return null;
        f.retire();
        if (!exists(path, f.file)) return null; // its directory was moved or removed meanwhile
        return new Staged(f.file, Map.copyOf(f.chunks));
    }

    /** Counts chunk bytes a committed file did not need to have written after its commit. */
    public void used(long bytes) {
        bytesUsed.add(bytes);
    }

    /** Chunk bytes of committed files that were written while they were pushed. */
    public long bytesUsed() {
        return bytesUsed.sum();
    }

    int openCount() {
        return open.size();
    }

    private static Open sized(Open f, long fileSize) {
        if (f != null) f.fileSize = fileSize;
        return f;
    }

    /** A new staged file beside {@code path}'s target, reached without following a symlink (see {@link FolderDir}). */
    private Open create(String path) {
        if (open.size() >= MAX_STAGED) return null;
        String name = PathValidator.TEMP_PREFIX + "staged-" + UUID.randomUUID();
        Path file = PathValidator.resolve(root, path).resolveSibling(name);
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            FileChannel ch = dir.open(name, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileChannel dch;
            try {
                dch = direct.open(dir.path(name), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                ch.close();
                dir.delete(name);
                throw e;
            }
            return new Open(file, ch, dch);
        } catch (IOException e) {
            throw new StagingFailed(e);
        }
    }

    /** Whether the staged {@code file} of {@code path} is still there, reached as it was made. */
    private boolean exists(String path, Path file) {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            return dir.stat(file.getFileName().toString()) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private void delete(String path, Path file) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            dir.delete(file.getFileName().toString());
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            // its directory is gone or unreachable: nothing of the folder to remove
        }
    }

    /** Removes staged files no chunk was written to lately; the node calls it every 30 s. */
    public void dropAbandoned() {
        long now = System.currentTimeMillis();
        open.forEach((path, f) -> {
            if (now - f.lastWrite > abandonAfterMillis) discard(path, f);
        });
    }

    private void discard(String path, Open f) {
        if (!open.remove(path, f)) return;
        f.retire();
        try {
            delete(path, f.file);
        } catch (IOException e) {
            LOG.debug("Cannot remove staged file {}: {}", f.file, e.toString());
        }
    }

    /** Removes every staged file: uploads not committed by now are sent again or assembled from blobs. */
    @Override
    public void close() {
        open.forEach(this::discard);
    }

    private static final class StagingFailed extends RuntimeException {
        StagingFailed(IOException cause) {
            super(cause);
        }
    }

    private final class Open {
        final Path file;
        final FileChannel channel;
        /** The same file opened for direct I/O, or null where it is not available. */
        final FileChannel directChannel;
        final Map<Long, String> chunks = new ConcurrentHashMap<>();
        /** Chunk bytes written here, by the peer that pushed them. */
        final Map<String, Long> byPeer = new ConcurrentHashMap<>();
        /** The size of the file its chunks said they belong to (0: not known); set before it is shared. */
        long fileSize;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        volatile long lastWrite = System.currentTimeMillis();
        /** Set under the write lock: no chunk is written after it. */
        boolean taken;

        Open(Path file, FileChannel channel, FileChannel directChannel) {
            this.file = file;
            this.channel = channel;
            this.directChannel = directChannel;
        }

        void write(ByteBuffer data, long offset) {
            try {
                direct.writeAt(channel, directChannel, file, data, offset);
            } catch (IOException e) {
                throw new StagingFailed(e);
            }
        }

        /** Once no write is in progress: no chunk is written to it after this, and its channels close. */
        void retire() {
            lock.writeLock().lock();
            try {
                taken = true;
                close();
            } finally {
                lock.writeLock().unlock();
            }
        }

        private void close() {
            try {
                channel.close();
                if (directChannel != null) directChannel.close();
            } catch (IOException e) {
                LOG.debug("Closing staged file {}: {}", file, e.toString());
            }
        }
    }
}
