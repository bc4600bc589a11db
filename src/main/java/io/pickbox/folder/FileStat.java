package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.Statx;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the file system says about one path, read without following symlinks.
 *
 * @param mode        permission bits only ({@code st_mode & 07777}), 0 where unknown
 * @param inode       {@code st_ino}, 0 where unknown
 * @param ctimeNanos  status change time ({@code st_ctime}) in nanoseconds since the epoch, 0 where
 *                    unknown
 */
public record FileStat(Kind kind, long size, long mtimeMillis, long inode, int mode, long ctimeNanos) {

    /**
     * FILE is a regular file; OTHER a fifo, a socket or a device, which is never replicated and
     * never opened (opening a fifo to read waits for a writer, for ever if none comes).
     */
    public enum Kind { FILE, DIR, SYMLINK, OTHER }

    private static final int OWNER_EXECUTE = 0100;
    private static final String UNIX_ATTRIBUTES = "unix:isSymbolicLink,isDirectory,isRegularFile,size,lastModifiedTime,ino,mode,ctime";

    /**
     * Stats {@code p} without following symlinks; null if it does not exist.
     *
     * @throws UncheckedIOException for errors other than "does not exist" (see {@link #read})
     */
    public static FileStat of(Path p) {
        try {
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #of} but with a checked exception, for callers that already handle IO errors. */
    public static FileStat read(Path p) throws IOException {
        FileStat fast = NativeStat.read(p);
        if (fast != NativeStat.UNKNOWN) return fast;
        try {
            return readUnix(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // No "unix" view (Windows, some non-default providers).
        }
        try {
            return readPortable(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Stats {@code rel} of the folder at {@code root}, reaching it without following a symlink
     * (see {@link FolderDir}): null when absent, and also when one of its directories is a symlink
     * or a file, as nothing in the folder is there then.
     */
    public static FileStat read(Path root, String rel) throws IOException {
        rel = PathValidator.normalize(rel);
        try (FolderDir dir = FolderDir.openParent(root, rel)) {
            return read(dir, FolderDir.nameOf(rel));
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException hidden) {
            return null;
        }
    }

    /** As {@link #read(Path, String)}, with an unchecked exception as {@link #of}. */
    public static FileStat of(Path root, String rel) {
        try {
            return read(root, rel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stats {@code name} in {@code dir}, not following it; null if it does not exist. */
    public static FileStat read(FolderDir dir, String name) throws IOException {
        Statx s = dir.stat(name);
        if (s == null) return null;
        if (s != Statx.UNKNOWN) return NativeStat.of(s);
        return read(dir.path(name));
    }

    public boolean executable() {
        return (mode & OWNER_EXECUTE) != 0;
    }

    /**
     * True if nothing observable changed between the two stats: the test used to recognise our own
     * writes coming back from the watcher. ctime is included because it changes on every write and
     * chmod even when size and mtime were restored, and inode because a rename-over replaces it.
     */
    public boolean sameAs(FileStat o) {
        return o != null
                && kind == o.kind
                && size == o.size
                && mtimeMillis == o.mtimeMillis
                && inode == o.inode
                && ctimeNanos == o.ctimeNanos;
    }

    /** The JDK's reading, where {@link NativeStat} cannot answer (kept visible for tests comparing the two). */
    static FileStat readUnix(Path p) throws IOException {
        // Named attributes only: "unix:*" also resolves the owner and group names, a user-database
        // lookup that cost more than the stat itself.
        Map<String, Object> a = Files.readAttributes(p, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        Kind kind = Boolean.TRUE.equals(a.get("isSymbolicLink")) ? Kind.SYMLINK
                : Boolean.TRUE.equals(a.get("isDirectory")) ? Kind.DIR
                : Boolean.TRUE.equals(a.get("isRegularFile")) ? Kind.FILE
                : Kind.OTHER;
        long size = ((Number) a.get("size")).longValue();
        long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis();
        long ino = a.get("ino") instanceof Number n ? n.longValue() : 0L;
        int mode = a.get("mode") instanceof Number n ? n.intValue() & 07777 : 0;
        long ctime = a.get("ctime") instanceof FileTime t ? t.to(TimeUnit.NANOSECONDS) : 0L;
        return new FileStat(kind, size, mtime, ino, mode, ctime);
    }

    private static FileStat readPortable(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Kind kind = a.isSymbolicLink() ? Kind.SYMLINK : a.isDirectory() ? Kind.DIR : a.isRegularFile() ? Kind.FILE : Kind.OTHER;
        int mode = 0;
        try {
            PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            mode = toMode(posix.permissions());
        } catch (UnsupportedOperationException e) {
            // Not POSIX: permission bits are meaningless there.
        }
        return new FileStat(kind, a.size(), a.lastModifiedTime().toMillis(), 0L, mode, 0L);
    }

    /** Low 9 bits in the usual rwxrwxrwx order. */
    static int toMode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 0400 >> perm.ordinal();
        }
        return mode;
    }

    /** Inverse of {@link #toMode}: only the low 9 bits of {@code mode} are used. */
    static Set<PosixFilePermission> toPermissions(int mode) {
        Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (0400 >> perm.ordinal())) != 0) {
                perms.add(perm);
            }
        }
        return perms;
    }
}
