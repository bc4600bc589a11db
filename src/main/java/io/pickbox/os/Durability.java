package io.pickbox.os;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The points where Pickbox makes its own files survive a power cut: a file's data, a directory's
 * entries, the whole file system, and the atomic rename that makes a complete file current. Every
 * durable write of ours goes through the one instance in use, so a test can put in its place an
 * implementation that remembers what was made durable and, at a chosen point, restores every file
 * to that (a power cut); the real one is the default.
 */
public interface Durability {

    /** Makes the data and size of the file at {@code file} durable (fsync through any descriptor flushes the file). */
    void force(Path file) throws IOException;

    /**
     * Makes the data and size of the file open as {@code channel} durable; {@code file} names it.
     * For files of the folder, reached without following a symlink: no second open by path.
     */
    default void force(FileChannel channel, Path file) throws IOException {
        force(file);
    }

    /** Makes the entries of {@code dir} durable: files created, renamed into or removed from it. */
    void forceDirectory(Path dir) throws IOException;

    /** Makes everything written to the file system holding {@code dir} durable; false when that cannot be done in one call. */
    boolean forceFileSystem(Path dir);

    /** Renames {@code from} over {@code to} atomically (not yet durable: force the directory after). */
    void rename(Path from, Path to) throws IOException;

    /**
     * Creates {@code dir} and its missing parents, each made durable in its parent: a file made
     * durable in a new directory is lost with it if the directory's own entry is not.
     */
    default Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) return dir;
        Path parent = absolute.getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(absolute);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) throw e;
            return dir;
        }
        if (parent != null) forceDirectory(parent);
        return dir;
    }

    /** The implementation in use. */
    static Durability current() {
        return Holder.current;
    }

    /** Puts {@code durability} in use (tests); {@link #REAL} restores the default. */
    static void use(Durability durability) {
        Holder.current = durability;
    }

    /** fsync(2), syncfs(2) and rename(2). */
    Durability REAL = new Durability() {
        @Override
        public void force(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }

        @Override
        public void force(FileChannel channel, Path file) throws IOException {
            channel.force(true);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }

        @Override
        public boolean forceFileSystem(Path dir) {
            return FileSystemSync.syncFileSystemOf(dir);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    };

    /** Holds the instance in use (an interface has no mutable static field of its own). */
    final class Holder {
        private static volatile Durability current = REAL;

        private Holder() {}
    }
}
