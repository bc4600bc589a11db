package io.pickbox.os;

import com.sun.jna.LastErrorException;

import java.nio.file.Path;

/**
 * {@code syncfs(2)}: makes everything written to one file system durable in one call, which is far
 * cheaper than an fsync per file when thousands of small files were written since the last time.
 */
public final class FileSystemSync {

    private static final int O_RDONLY = 0;

    private FileSystemSync() {}

    /** Syncs the file system holding {@code dir}; false when syncfs is not available here or failed. */
    public static boolean syncFileSystemOf(Path dir) {
        if (!LibC.Fd.BOUND || !LibC.SyncFs.BOUND) return false;
        int fd;
        try {
            fd = LibC.Fd.open(LibC.cString(dir.toString()), O_RDONLY);
        } catch (LastErrorException e) {
            return false;
        }
        try {
            return LibC.SyncFs.syncfs(fd) == 0;
        } catch (LastErrorException e) {
            return false;
        } finally {
            try {
                LibC.Fd.close(fd);
            } catch (LastErrorException ignored) {
                // nothing to do: the descriptor is gone either way
            }
        }
    }
}
