package io.pickbox.os;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A directory of the synced folder, reached from the folder's root without following a symlink,
 * and the operations on the names in it. The directory is held open (an O_PATH descriptor), so a
 * symlink put in place of one of its ancestors after it was reached changes nothing: every
 * operation acts on the directory itself, through its descriptor ({@code *at} calls) or through
 * {@code /proc/self/fd/N/name} with the last component not followed either. A symlink met on the
 * way is a {@link SymlinkInPathException}, never a follow.
 *
 * <p>How the directory is reached: {@link Beneath}. Where that is not possible (not Linux), paths
 * are used as they are, as before, with only the last component not followed.
 */
public final class FolderDir implements AutoCloseable {

    private static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200;
    private static final int EISDIR = 21;
    /** open(2) flags, the same on every Linux architecture. */
    private static final int O_WRONLY = 01, O_CREAT = 0100, O_EXCL = 0200;

    private final String rel;
    private final int fd;
    /** Null until asked for: most operations go through the descriptor and never need it. */
    private Path path;
    private boolean closed;

    private FolderDir(String rel, int fd, Path path) {
        this.rel = rel;
        this.fd = fd;
        this.path = path;
    }

    /** Whether folder paths are resolved without following symlinks here (false: as plain paths). */
    public static boolean safe() {
        return Beneath.AVAILABLE;
    }

    /** For tests: resolves by the component walk, as on a kernel without openat2, while false. */
    static void useOpenat2(boolean use) {
        Beneath.useOpenat2(use);
    }

    /**
     * Opens the directory {@code relDir} ("" for the root) of the folder at {@code root}.
     *
     * @throws SymlinkInPathException when a component of {@code relDir} is a symlink
     * @throws NoSuchFileException    when a component is missing
     * @throws NotDirectoryException  when a component is a file
     * @throws UnsafePathException    when {@code relDir} is absolute or has "." or ".." components
     */
    public static FolderDir open(Path root, String relDir) throws IOException {
        return open(root, relDir, false);
    }

    /** As {@link #open}, creating the directories of {@code relDir} that are missing. */
    public static FolderDir openCreating(Path root, String relDir) throws IOException {
        return open(root, relDir, true);
    }

    /** The directory holding {@code relPath} (a file or directory of the folder, not the root). */
    public static FolderDir openParent(Path root, String relPath) throws IOException {
        return open(root, parentOf(relPath), false);
    }

    /** "" for a name at the top of the folder. */
    public static String parentOf(String relPath) {
        int slash = relPath.lastIndexOf('/');
        return slash < 0 ? "" : relPath.substring(0, slash);
    }

    public static String nameOf(String relPath) {
        return relPath.substring(relPath.lastIndexOf('/') + 1);
    }

    private static FolderDir open(Path root, String relDir, boolean create) throws IOException {
        checkRelative(relDir);
        if (!Beneath.AVAILABLE) return plain(root, relDir, create);
        int rootFd = Beneath.openRoot(root);
        try {
            if (relDir.isEmpty()) {
                FolderDir d = new FolderDir("", rootFd, null);
                rootFd = -1;
                return d;
            }
            int fd;
            try {
                fd = Beneath.resolve(rootFd, relDir);
            } catch (NoSuchFileException missing) {
                if (!create) throw missing;
                fd = Beneath.walk(rootFd, relDir, true);
            }
            return new FolderDir(relDir, fd, null);
        } finally {
            if (rootFd >= 0) Beneath.closeFd(rootFd);
        }
    }

    /** Where the calls here are missing: the path as it is, refusing a symlink seen on the way (racy, as before). */
    private static FolderDir plain(Path root, String relDir, boolean create) throws IOException {
        Path p = root;
        String upTo = "";
        for (String name : relDir.isEmpty() ? new String[0] : relDir.split("/")) {
            p = p.resolve(name);
            upTo = upTo.isEmpty() ? name : upTo + "/" + name;
            if (create && Files.notExists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(p);
                } catch (FileAlreadyExistsException raced) {
                    // made meanwhile: checked below like any other
                }
            }
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) throw new SymlinkInPathException(relDir, upTo);
            if (!a.isDirectory()) throw new NotDirectoryException(upTo);
        }
        return new FolderDir(relDir, -1, p);
    }

    private static void checkRelative(String rel) throws UnsafePathException {
        if (rel.isEmpty()) return;
        if (rel.startsWith("/")) throw new UnsafePathException(rel, "an absolute path is not a path of the folder");
        for (String name : rel.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
                throw new UnsafePathException(rel, "'" + name + "' is not a name of the folder");
            }
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a file name: '" + name + "'");
        }
    }

    private static Path procPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** This directory, relative to the folder's root ("" for the root). */
    public String rel() {
        return rel;
    }

    /** {@code name} in this directory, relative to the folder's root. */
    public String relOf(String name) {
        return rel.isEmpty() ? name : rel + "/" + name;
    }

    /**
     * This directory as a path for the JDK, valid while this stays open: it names the directory
     * held, wherever it is now.
     */
    public Path path() {
        if (path == null) path = procPath(fd);
        return path;
    }

    /**
     * {@code name} in this directory as a path for the JDK, valid while this stays open. Only the
     * last component is looked up by name: pass {@link LinkOption#NOFOLLOW_LINKS} (or use the
     * methods here) so that it is not followed either.
     */
    public Path path(String name) {
        checkName(name);
        return path().resolve(name);
    }

    /** The stat of {@code name}, not following it; null when absent, {@link Statx#UNKNOWN} when not known here. */
    public Statx stat(String name) {
        checkName(name);
        return fd < 0 ? Statx.read(path(name)) : Statx.readAt(fd, name);
    }

    /**
     * Opens {@code name} with {@code options}, never following it if it is a symlink. Without
     * CREATE or CREATE_NEW among them, only a regular file is opened, as {@link RegularFiles} tells.
     *
     * @throws NotRegularFileException when an existing file is to be opened and something else is there
     */
    public FileChannel open(String name, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(List.of(options));
        if (!all.contains(StandardOpenOption.CREATE) && !all.contains(StandardOpenOption.CREATE_NEW)) return openRegular(name, all);
        all.add(LinkOption.NOFOLLOW_LINKS);
        Path p = path(name);
        try {
            return FileChannel.open(p, all);
        } catch (NoSuchFileException | FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            if (isSymlink(name)) throw new SymlinkInPathException(relOf(name), relOf(name));
            throw e;
        }
    }

    private FileChannel openRegular(String name, Set<OpenOption> options) throws IOException {
        checkName(name);
        if (fd < 0) return RegularFiles.open(path(name), options.toArray(OpenOption[]::new));
        int f;
        try {
            f = LibC.At.openat(fd, LibC.cString(name), Beneath.O_PATH | Beneath.O_NOFOLLOW | Beneath.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "open");
        }
        try {
            return RegularFiles.reopen(f, relOf(name), options);
        } finally {
            Beneath.closeFd(f);
        }
    }

    /**
     * Creates the file {@code name}, where nothing may be yet, holding {@code data}, with the
     * permission bits of {@code mode} (negative: those of a new file) and {@code mtimeMillis} as its
     * modification time; not durable yet. Through this directory's descriptor and the new file's
     * own, a few calls per file (a group of new files is written this way). Nothing is left at
     * {@code name} when it fails.
     *
     * @throws FileAlreadyExistsException when anything is at {@code name}, a symlink too
     */
    public void createFile(String name, byte[] data, int mode, long mtimeMillis) throws IOException {
        checkName(name);
        if (fd < 0 || !LibC.At.BOUND || !LibC.Fd.BOUND || !LibC.OpenFile.BOUND) {
            createFileByPath(name, data, mode, mtimeMillis);
            return;
        }
        int file;
        try {
            // O_EXCL: fails on whatever is there, a symlink included, never following it.
            file = LibC.At.openat(fd, LibC.cString(name), O_WRONLY | O_CREAT | O_EXCL | Beneath.O_NOFOLLOW | Beneath.O_CLOEXEC, 0600);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "create");
        }
        boolean ok = false;
        try {
            for (int done = 0; done < data.length; ) {
                byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
                done += LibC.OpenFile.write(file, rest, new com.sun.jna.NativeLong(rest.length)).intValue();
            }
            if (mode >= 0) LibC.OpenFile.fchmod(file, mode & 0777);
            long sec = Math.floorDiv(mtimeMillis, 1000L), nsec = Math.floorMod(mtimeMillis, 1000L) * 1_000_000L;
            LibC.OpenFile.futimens(file, new long[] {sec, nsec, sec, nsec});
            ok = true;
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "write");
        } finally {
            try {
                LibC.Fd.close(file);
            } catch (LastErrorException e) {
                if (ok) {
                    ok = false;
                    throw failure(name, e.getErrorCode(), "write");
                }
            } finally {
                if (!ok) delete(name);
            }
        }
    }

    /** As {@link #createFile}, through the JDK, by path (the last component not followed). */
    private void createFileByPath(String name, byte[] data, int mode, long mtimeMillis) throws IOException {
        try (FileChannel out = open(name, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(data);
            while (buf.hasRemaining()) out.write(buf);
        }
        try {
            if (mode >= 0) chmod(name, mode & 0777);
            setTimes(name, mtimeMillis);
        } catch (IOException | RuntimeException e) {
            delete(name);
            throw e;
        }
    }

    /** Whether {@code name} is a symlink now. */
    public boolean isSymlink(String name) {
        Statx st = stat(name);
        if (st == null) return false;
        if (st != Statx.UNKNOWN) return st.isSymbolicLink();
        return Files.isSymbolicLink(path(name));
    }

    /**
     * Creates the directory {@code name}.
     *
     * @throws FileAlreadyExistsException when anything is there, a symlink too
     */
    public void mkdir(String name) throws IOException {
        checkName(name);
        if (fd < 0) {
            Files.createDirectory(path(name));
            return;
        }
        try {
            LibC.At.mkdirat(fd, LibC.cString(name), 0777);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "create directory");
        }
    }

    /** Removes the file, symlink or empty directory {@code name}; false when nothing was there. */
    public boolean delete(String name) throws IOException {
        checkName(name);
        if (fd < 0) return Files.deleteIfExists(path(name));
        byte[] cName = LibC.cString(name);
        try {
            LibC.At.unlinkat(fd, cName, 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) return false;
            if (e.getErrorCode() != EISDIR) throw failure(name, e.getErrorCode(), "delete");
        }
        try {
            LibC.At.unlinkat(fd, cName, AT_REMOVEDIR);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) return false;
            throw failure(name, e.getErrorCode(), "delete");
        }
    }

    /** Renames {@code from} here to {@code toName} in {@code to}, replacing what is there (a file or an empty directory). */
    public void rename(String from, FolderDir to, String toName) throws IOException {
        checkName(from);
        checkName(toName);
        if (fd < 0 || to.fd < 0 || !LibC.Rename.BOUND) {
            try {
                Files.move(path(from), to.path(toName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(path(from), to.path(toName), StandardCopyOption.REPLACE_EXISTING);
            }
            return;
        }
        try {
            LibC.Rename.renameat2(fd, LibC.cString(from), to.fd, LibC.cString(toName), 0);
        } catch (LastErrorException e) {
            throw failure(from, e.getErrorCode(), "rename to " + to.relOf(toName));
        }
    }

    /** As {@link #rename}, but false, with nothing done, when anything is at {@code toName}. */
    public boolean renameNoReplace(String from, FolderDir to, String toName) throws IOException {
        if (fd >= 0 && to.fd >= 0) return NoReplaceRename.renameAt(fd, from, to.fd, toName, path(from), to.path(toName));
        return NoReplaceRename.rename(path(from), to.path(toName));
    }

    /** Sets the permission bits of {@code name}; refuses a symlink. */
    public void chmod(String name, int mode) throws IOException {
        checkName(name);
        if (fd < 0) {
            try {
                Files.setPosixFilePermissions(path(name), permissions(mode));
            } catch (UnsupportedOperationException noPosix) {
                // no permission bits on this file system
            }
            return;
        }
        int f;
        try {
            f = LibC.At.openat(fd, LibC.cString(name), Beneath.O_PATH | Beneath.O_NOFOLLOW | Beneath.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "chmod");
        }
        try {
            Statx st = Statx.readOpen(f);
            if (st != null && st != Statx.UNKNOWN && st.isSymbolicLink()) throw new SymlinkInPathException(relOf(name), relOf(name));
            // What f holds is the file itself (O_PATH, not followed): its /proc link names that inode.
            LibC.At.chmod(LibC.cString("/proc/self/fd/" + f), mode & 07777);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "chmod");
        } finally {
            Beneath.closeFd(f);
        }
    }

    /** Sets the modification and access times of {@code name}, not following it. */
    public void setTimes(String name, long mtimeMillis) throws IOException {
        checkName(name);
        if (fd < 0) {
            FileTime t = FileTime.fromMillis(mtimeMillis);
            Files.getFileAttributeView(path(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
            return;
        }
        long sec = Math.floorDiv(mtimeMillis, 1000L), nsec = Math.floorMod(mtimeMillis, 1000L) * 1_000_000L;
        try {
            LibC.At.utimensat(fd, LibC.cString(name), new long[] {sec, nsec, sec, nsec}, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw failure(name, e.getErrorCode(), "set the times of");
        }
    }

    /** Makes this directory's entries durable. */
    public void fsync() throws IOException {
        try (FileChannel ch = FileChannel.open(path(), java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** The names in this directory, in no order. */
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(path())) {
            for (Path p : s) names.add(p.getFileName().toString());
        }
        return names;
    }

    private IOException failure(String name, int errno, String what) {
        String at = relOf(name);
        return switch (errno) {
            case Errno.ENOENT -> new NoSuchFileException(at);
            case Errno.EEXIST -> new FileAlreadyExistsException(at);
            case Errno.ENOTEMPTY -> new DirectoryNotEmptyException(at);
            case Errno.ELOOP -> new SymlinkInPathException(at, at);
            default -> new FileSystemException(at, null, "cannot " + what + ": errno " + errno);
        };
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (0400 >> perm.ordinal())) != 0) perms.add(perm);
        }
        return perms;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (fd >= 0) Beneath.closeFd(fd);
    }
}
