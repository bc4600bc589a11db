package io.pickbox.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * JNA direct mapping of the few libc calls inotify needs. Direct mapping avoids the per-call
 * reflection of interface mapping; the class fails to initialise (LinkageError) where libc or
 * these symbols are missing, which the factory turns into the portable fallback.
 */
final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    // <sys/inotify.h>
    static final int IN_MODIFY = 0x00000002;
    static final int IN_ATTRIB = 0x00000004;
    static final int IN_CLOSE_WRITE = 0x00000008;
    static final int IN_MOVED_FROM = 0x00000040;
    static final int IN_MOVED_TO = 0x00000080;
    static final int IN_CREATE = 0x00000100;
    static final int IN_DELETE = 0x00000200;
    static final int IN_DELETE_SELF = 0x00000400;
    static final int IN_MOVE_SELF = 0x00000800;
    static final int IN_UNMOUNT = 0x00002000;
    static final int IN_Q_OVERFLOW = 0x00004000;
    static final int IN_IGNORED = 0x00008000;
    static final int IN_ONLYDIR = 0x01000000;
    static final int IN_DONT_FOLLOW = 0x02000000;
    static final int IN_EXCL_UNLINK = 0x04000000;
    static final int IN_ISDIR = 0x40000000;
    /** Same value as O_CLOEXEC on x86, arm, arm64, riscv, s390, ppc (not alpha/sparc/parisc). */
    static final int IN_CLOEXEC = 0x00080000;

    // <poll.h>
    static final short POLLIN = 0x0001;

    // <errno.h>
    static final int EINTR = 4;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int ENOTDIR = 20;
    static final int ENOSPC = 28;

    private LibC() {}

    static native int inotify_init1(int flags) throws LastErrorException;

    /** path is a NUL-terminated byte string so the file-name bytes are exactly what we chose (UTF-8). */
    static native int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

    static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native int poll(Pointer fds, NativeLong nfds, int timeoutMillis) throws LastErrorException;

    static native NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    static native NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}
