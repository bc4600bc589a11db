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

    public StagedFiles(Path root) {
        this(root, ABANDONED_MILLIS);
    }

    StagedFiles(Path root, long abandonAfterMillis) {
        this.root = root;
        this.direct = new DirectIo(root, Hashing.CHUNK_SIZE);
        this.abandonAfterMillis = abandonAfterMillis;
    }

    /**
     * Writes {@code chunk} (already verified to hash to {@code sha256}) where {@code at} says; false
     * when it was not written (the target's directory does not exist yet, too many files are staged,
     * or the write failed): the caller then keeps the chunk as a blob. Never throws.
     */
    public boolean write(Placement at, String sha256, ByteBuffer chunk) {
        Path target = PathValidator.resolve(root, at.path());
        if (!Files.isDirectory(target.getParent())) return false;
        for (int attempt = 0; attempt < 2; attempt++) {
            Open f;
            try {
                f = open.computeIfAbsent(at.path(), this::create);
            } catch (StagingFailed e) {
                LOG.debug("Cannot stage {}: {}", at.path(), e.getCause().toString());
                return false;
            }
            if (f == null) return false;
            if (!f.lock.readLock().tryLock()) continue; // being taken: a new upload gets a new file
            try {
                if (f.taken) continue;
                // One offset is written and recorded as one step, so that the record always names
                // what the file holds even when two reads of a changing file push the same offset.
                f.chunks.compute(at.offset(), (o, old) -> {
                    f.write(chunk.duplicate(), o);
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
