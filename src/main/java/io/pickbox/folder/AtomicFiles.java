package io.pickbox.folder;

import io.pickbox.os.Durability;
import io.pickbox.os.FolderDir;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file replacement: readers (and a crash) see either the old or the complete new file,
 * never a partial one.
 */
public final class AtomicFiles {
    private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER_SIZE = 64 * 1024;

    private AtomicFiles() {}

    /**
     * Writes {@code content} to a {@code .pickbox-tmp-*} file next to {@code target}, verifies its
     * SHA-256, applies mode and mtime, fsyncs it, renames it over {@code target} and fsyncs the
     * directory. The temp file is removed on any failure, leaving {@code target} untouched.
     *
     * @param content        writes the bytes; closing the stream is allowed and harmless
     * @param mode           permission bits (low 9 used); negative = leave the default
     * @param mtimeMillis    modification time to set
     * @param expectedSha256 lowercase hex, or null to skip verification
     * @throws IOException on IO failure or hash mismatch
     */
    public static void writeAtomically(Path target, IOConsumer<OutputStream> content, int mode,
                                       long mtimeMillis, String expectedSha256) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(PathValidator.TEMP_PREFIX + randomHex());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                MessageDigest sha = Hashing.newSha256();
                OutputStream out = new DigestOutputStream(
                        new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE), sha);
                content.accept(new CloseShieldOutputStream(out));
                out.flush();
                String actual = Hashing.hex(sha.digest());
                if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
                    throw new IOException("content hash mismatch for " + target + ": expected " + expectedSha256 + ", got " + actual);
                }
                applyMode(temp, mode);
                Files.setLastModifiedTime(temp, FileTime.fromMillis(mtimeMillis));
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            fsyncDirectory(dir);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Makes a rename or create in {@code dir} durable. Best effort: some platforms (Windows) cannot
     * open a directory for fsync, and there is nothing better to do there.
     */
    public static void fsyncDirectory(Path dir) {
        try {
            Durability.current().forceDirectory(dir);
        } catch (IOException e) {
            log.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    /**
     * Makes {@code files} and the entries of {@code directories} durable: one syncfs of the file
     * system holding {@code root} where the platform has it, an fsync each otherwise. Many small
     * files written since the last flush then cost one call, not two each.
     *
     * @throws IOException when a file could not be flushed
     */
    public static void flush(Path root, Collection<Path> files, Collection<Path> directories) throws IOException {
        if ((files.isEmpty() && directories.isEmpty()) || Durability.current().forceFileSystem(root)) return;
        directories.forEach(AtomicFiles::fsyncDirectory);
        for (Path p : files) Durability.current().force(p);
    }

    /**
     * As {@link #flush(Path, Collection, Collection)}, for {@code files} and {@code directories}
     * given relative to the folder at {@code root} ("" for the root itself), each reached without
     * following a symlink; one that is no longer there, or only through a symlink, has nothing of
     * the folder to flush.
     *
     * @throws IOException when a file could not be flushed
     */
    public static void flushFolder(Path root, Collection<String> files, Collection<String> directories) throws IOException {
        if ((files.isEmpty() && directories.isEmpty()) || Durability.current().forceFileSystem(root)) return;
        for (String d : directories) {
            try (FolderDir dir = FolderDir.open(root, d)) {
                Durability.current().forceDirectory(dir.path());
            } catch (IOException e) {
                log.debug("cannot fsync directory {}: {}", d, e.toString());
            }
        }
        for (String f : files) {
            try (FolderDir dir = FolderDir.openParent(root, f);
                 FileChannel ch = dir.open(FolderDir.nameOf(f), StandardOpenOption.WRITE)) {
                Durability.current().force(ch, dir.path(FolderDir.nameOf(f)));
            }
        }
    }

    /** Sets the permission bits of {@code mode} on {@code name} in {@code dir} (negative: leaves them), not following it. */
    public static void applyMode(FolderDir dir, String name, int mode) throws IOException {
        if (mode >= 0) dir.chmod(name, mode & 0777);
    }

    /**
     * Deletes {@code p} and, if it is a real directory, everything under it. Symlinks are deleted
     * themselves, never followed. A missing {@code p} (or entries vanishing meanwhile) is fine.
     */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Sets the permission bits of {@code mode} (negative: leaves them); nothing where the file system has none. */
    public static void applyMode(Path file, int mode) throws IOException {
        if (mode < 0) {
            return;
        }
        try {
            Files.setPosixFilePermissions(file, FileStat.toPermissions(mode & 0777));
        } catch (UnsupportedOperationException e) {
            // Non-POSIX file system: there are no permission bits to carry over.
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn("could not remove temp file {}: {}", temp, e.toString());
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Lets the content writer close "its" stream without closing our channel before fsync. */
    private static final class CloseShieldOutputStream extends FilterOutputStream {
        CloseShieldOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
