package io.pickbox.folder;

import com.sun.nio.file.ExtendedOpenOption;
import io.pickbox.os.FolderDir;
import io.pickbox.os.NotRegularFileException;
import io.pickbox.os.UnsafePathException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes and reads whole chunks with O_DIRECT, past the page cache, on one file system. A
 * received large file is written twice on a node, as blobs and then as the user's file, and
 * both writes are made durable before they count; caching them is of little use, and on a
 * virtual machine every fresh page-cache page is costly to allocate (copying into new page-cache
 * pages dominated a receiving node's kernel time).
 * Direct I/O needs lengths, offsets and buffer addresses aligned to the file system's block
 * size: full 1 MiB chunks qualify, a file's short last chunk goes through the page cache. Where
 * the file system refuses O_DIRECT, or direct I/O fails once, everything goes through the page cache.
 */
public final class DirectIo {

    private static final Logger LOG = LoggerFactory.getLogger(DirectIo.class);
    /** Aligned buffers kept for concurrent receives; more receives at once use heap buffers. */
    private static final int POOLED = 4;

    private final int capacity;
    private final int align;
    private volatile boolean supported;
    private final ArrayBlockingQueue<ByteBuffer> pool = new ArrayBlockingQueue<>(POOLED);
    private final AtomicInteger allocated = new AtomicInteger();

    /** Direct I/O of up to {@code capacity} bytes at a time on the file system holding {@code dir}. */
    public DirectIo(Path dir, int capacity) {
        this.capacity = capacity;
        int blockSize;
        try {
            blockSize = (int) Files.getFileStore(dir).getBlockSize();
        } catch (IOException | UnsupportedOperationException e) {
            blockSize = -1;
        }
        this.align = blockSize;
        this.supported = blockSize > 0 && blockSize <= 64 * 1024 && Integer.bitCount(blockSize) == 1
                && capacity % blockSize == 0;
    }

    /** A direct buffer of {@code capacity} bytes whose address suits O_DIRECT. */
    public ByteBuffer newBuffer() {
        int a = Math.max(align, 1);
        return ByteBuffer.allocateDirect(capacity + a).alignedSlice(a).limit(capacity);
    }

    /** A pooled buffer from {@link #newBuffer}, or null when all are in use; give it back with {@link #release}. */
    public ByteBuffer borrow() {
        ByteBuffer b = pool.poll();
        if (b == null && allocated.incrementAndGet() <= POOLED) b = newBuffer();
        else if (b == null) allocated.decrementAndGet();
        return b == null ? null : b.clear().limit(capacity);
    }

    /**
     * As {@link #borrow()}, waiting up to {@code waitMillis} for one to be released when all are
     * lent: a receive that waits its turn costs less than one through the page cache.
     */
    public ByteBuffer borrow(long waitMillis) throws InterruptedException {
        ByteBuffer b = borrow();
        if (b == null && waitMillis > 0) {
            b = pool.poll(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (b != null) b.clear().limit(capacity);
        }
        return b;
    }

    public void release(ByteBuffer b) {
        if (b != null && !pool.offer(b)) allocated.decrementAndGet();
    }

    /** Whether {@code length} bytes of {@code b}, at file offset {@code offset}, can move with direct I/O. */
    public boolean suits(ByteBuffer b, long offset, long length) {
        return supported && b.isDirect() && length > 0 && length % align == 0 && offset % align == 0
                && length <= b.capacity() && b.alignmentOffset(0, align) == 0;
    }

    /**
     * Opens {@code path} for direct I/O with {@code options}; null if direct I/O is not available
     * here (the file is then not created).
     */
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        if (!supported) return null;
        try {
            return FileChannel.open(path, withDirect(options));
        } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            turnOff(String.valueOf(path.getParent()), e);
            return null;
        }
    }

    /**
     * As {@link #open(Path, OpenOption...)}, for the existing regular file {@code name} of a directory of
     * the folder (see {@link FolderDir#open}).
     */
    public FileChannel open(FolderDir dir, String name, OpenOption... options) throws IOException {
        if (!supported) return null;
        try {
            return dir.open(name, withDirect(options));
        } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException | NotRegularFileException | UnsafePathException e) {
            throw e;
        } catch (IOException e) {
            turnOff(dir.rel().isEmpty() ? "the folder" : dir.rel(), e);
            return null;
        }
    }

    private static OpenOption[] withDirect(OpenOption[] options) {
        OpenOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = ExtendedOpenOption.DIRECT;
        return all;
    }

    /**
     * Writes all of {@code data} at {@code offset} through a channel from {@link #open}. A failure
     * turns direct I/O off here before it is thrown, so that the caller's retry uses the page cache.
     */
    public void write(FileChannel direct, Path path, ByteBuffer data, long offset) throws IOException {
        try {
            for (long pos = offset; data.hasRemaining(); ) pos += direct.write(data, pos);
        } catch (IOException e) {
            turnOff(String.valueOf(path.getParent()), e);
            throw e;
        }
    }

    /**
     * Writes all of {@code data} at {@code offset} into {@code path}: through {@code direct} (from
     * {@link #open}, may be null) when it suits direct I/O, through {@code plain} otherwise.
     */
    public void writeAt(FileChannel plain, FileChannel direct, Path path, ByteBuffer data, long offset) throws IOException {
        if (direct != null && suits(data, offset, data.remaining())) write(direct, path, data, offset);
        else for (long pos = offset; data.hasRemaining(); ) pos += plain.write(data, pos);
    }

    /**
     * Writes {@code data} (position to limit) as the whole content of the new file {@code path}
     * and makes it durable; false, creating nothing, if they do not suit direct I/O.
     */
    public boolean writeNew(Path path, ByteBuffer data) throws IOException {
        if (!suits(data, 0, data.remaining())) return false;
        try (FileChannel ch = open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (ch == null) return false;
            ByteBuffer b = data.duplicate();
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            Files.deleteIfExists(path);
            turnOff(String.valueOf(path.getParent()), e);
            return false;
        }
        return true;
    }

    /**
     * Reads the whole file {@code path} of {@code size} bytes into {@code dst} (flipped: position
     * 0, limit what was read); false, reading nothing, if they do not suit direct I/O.
     */
    public boolean readAll(Path path, long size, ByteBuffer dst) throws IOException {
        if (!suits(dst, 0, size)) return false;
        try (FileChannel ch = open(path, StandardOpenOption.READ)) {
            if (ch == null) return false;
            dst.clear().limit((int) size);
            while (dst.hasRemaining() && ch.read(dst) >= 0) { }
            dst.flip();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            turnOff(String.valueOf(path.getParent()), e);
            return false;
        }
        return true;
    }

    /**
     * After a failure of direct I/O itself (refused, or a write the file system did not take), use
     * the page cache. A full disk or a refused write is the file's failure, not direct I/O's: the
     * page cache would fail the same way, and direct I/O stays on for when space comes back.
     * {@code where}: the directory where it failed, for the log.
     */
    private void turnOff(String where, IOException e) {
        if (DiskErrors.noSpace(e) || DiskErrors.notAllowed(e)) return;
        if (supported) {
            LOG.info("Direct I/O failed on the file system of {} ({}); chunks go through the page cache from now on",
                    where, e.getMessage());
        }
        supported = false;
    }
}
