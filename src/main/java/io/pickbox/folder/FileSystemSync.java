package io.pickbox.folder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code syncfs(2)}: makes everything written to one file system durable in one call, which is far
 * cheaper than an fsync per file when thousands of small files were written since the last time.
 */
public final class FileSystemSync {

    private static final boolean AVAILABLE = load();

    private FileSystemSync() {}

    private static boolean load() {
        try {
            Native.register(FileSystemSync.class, Platform.C_LIBRARY_NAME);
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    private static native int open(byte[] path, int flags) throws LastErrorException;

    private static native int syncfs(int fd) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static final int O_RDONLY = 0;

    /** Syncs the file system holding {@code dir}; false when syncfs is not available here or failed. */
    public static boolean syncFileSystemOf(Path dir) {
        if (!AVAILABLE) return false;
        byte[] raw = dir.toString().getBytes(StandardCharsets.UTF_8);
        byte[] path = java.util.Arrays.copyOf(raw, raw.length + 1);
        int fd;
        try {
            fd = open(path, O_RDONLY);
        } catch (LastErrorException e) {
            return false;
        }
        try {
            return syncfs(fd) == 0;
        } catch (LastErrorException e) {
            return false;
        } finally {
            try {
                close(fd);
            } catch (LastErrorException ignored) {
                // nothing to do: the descriptor is gone either way
            }
        }
    }
}
