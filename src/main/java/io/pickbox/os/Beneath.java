package io.pickbox.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Reaches a directory below a folder's root without following a symlink, as an O_PATH descriptor
 * (see {@link FolderDir}). The root itself is opened as configured (it may be a symlink the user
 * chose). Below it, openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS resolves the whole
 * path in one call; where the kernel lacks it, a walk of {@code openat(O_NOFOLLOW)} does the same
 * one component at a time, and also tells which component is a symlink when one is met.
 */
final class Beneath {

    static final int O_PATH = 010000000, O_CLOEXEC = 02000000;
    /** Where the architecture's own values differ from the generic ones (arm's); 0 where unknown. */
    static final int O_DIRECTORY = Platform.isARM() ? 040000 : generic() ? 0200000 : 0;
    static final int O_NOFOLLOW = Platform.isARM() ? 0100000 : generic() ? 0400000 : 0;
    private static final long SYS_OPENAT2 = 437;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    /** Whether directories are reached here without following symlinks (false: plain paths are used). */
    static final boolean AVAILABLE = Platform.isLinux() && O_DIRECTORY != 0 && LibC.Fd.BOUND && LibC.At.BOUND
            && LibC.Lookup.BOUND && Statx.available() && Files.isDirectory(Path.of("/proc/self/fd"));
    private static volatile boolean openat2Works = true;

    private Beneath() {}

    private static boolean generic() {
        String arch = System.getProperty("os.arch");
        return Platform.isIntel() || "riscv64".equals(arch) || "loongarch64".equals(arch);
    }

    /** For tests: resolves by the component walk, as on a kernel without openat2, while false. */
    static void useOpenat2(boolean use) {
        openat2Works = use;
    }

    static int openRoot(Path root) throws IOException {
        try {
            return LibC.Fd.open(LibC.cString(root.toAbsolutePath().toString()), O_PATH | O_DIRECTORY | O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) throw new NoSuchFileException(root.toString(), null, "folder root does not exist");
            throw new FileSystemException(root.toString(), null, "cannot open the folder root: errno " + e.getErrorCode());
        }
    }

    /** An O_PATH descriptor of {@code rel} below {@code rootFd}, not following any symlink. */
    static int resolve(int rootFd, String rel) throws IOException {
        if (openat2Works) {
            long[] how = {O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
            long fd = LibC.Lookup.syscall(SYS_OPENAT2, rootFd, LibC.cString(rel), how, 8L * how.length);
            if (fd >= 0) return (int) fd;
            int errno = Native.getLastError();
            if (errno == Errno.ENOSYS || errno == Errno.EPERM) {
                openat2Works = false; // an older kernel, or a sandbox that forbids the call
            } else if (errno == Errno.ENOENT) {
                throw new NoSuchFileException(rel);
            } else if (errno == Errno.EXDEV) {
                throw new UnsafePathException(rel, "leads out of the folder");
            } else if (errno != Errno.ELOOP && errno != Errno.ENOTDIR && errno != Errno.EAGAIN) {
                throw new FileSystemException(rel, null, "cannot open directory: errno " + errno);
            }
            // A symlink or a file on the way (the walk says which), or a rename raced the lookup.
        }
        return walk(rootFd, rel, false);
    }

    /** One {@code openat(O_NOFOLLOW)} per component; {@code create} makes the missing ones. */
    static int walk(int rootFd, String rel, boolean create) throws IOException {
        int fd = rootFd;
        int end = -1;
        try {
            while (end < rel.length()) {
                int start = end + 1;
                end = rel.indexOf('/', start);
                if (end < 0) end = rel.length();
                String name = rel.substring(start, end);
                int next = openComponent(fd, name, rel, rel.substring(0, end), create);
                if (fd != rootFd) closeFd(fd);
                fd = next;
            }
            int done = fd;
            fd = rootFd;
            return done;
        } finally {
            if (fd != rootFd) closeFd(fd);
        }
    }

    private static int openComponent(int dirFd, String name, String rel, String upTo, boolean create) throws IOException {
        byte[] cName = LibC.cString(name);
        for (int attempt = 0; ; attempt++) {
            int fd = LibC.Lookup.openat(dirFd, cName, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd >= 0) return fd;
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT && create && attempt < 3) {
                mkdirAt(dirFd, cName, upTo);
                continue;
            }
            if (errno == Errno.ENOENT) throw new NoSuchFileException(rel);
            if (errno == Errno.ELOOP || errno == Errno.ENOTDIR) {
                Statx st = Statx.readAt(dirFd, name);
                if (st != null && st.isSymbolicLink()) throw new SymlinkInPathException(rel, upTo);
                if (st == null) throw new NoSuchFileException(rel);
                if (st.isDirectory() && attempt < 3) continue; // a directory again already
                throw new NotDirectoryException(upTo);
            }
            throw new FileSystemException(rel, null, "cannot open " + upTo + ": errno " + errno);
        }
    }

    private static void mkdirAt(int dirFd, byte[] cName, String rel) throws IOException {
        try {
            LibC.At.mkdirat(dirFd, cName, 0777);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EEXIST) throw new FileSystemException(rel, null, "cannot create directory: errno " + e.getErrorCode());
        }
    }

    static void closeFd(int fd) {
        try {
            LibC.Fd.close(fd);
        } catch (LastErrorException ignored) {
            // the descriptor is gone either way
        }
    }

}
