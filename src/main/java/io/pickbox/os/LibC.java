package io.pickbox.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C library calls Pickbox makes, bound once through JNA. Direct mapping (static native
 * methods) avoids the per-call reflection of interface mapping. Each group is bound on its own, so
 * a C library without one call (musl has no malloc_trim, glibc before 2.28 no statx) loses only
 * that group; a group whose {@code BOUND} is false must not be called.
 */
final class LibC {

    private static final NativeLibrary C = load();

    private LibC() {}

    private static NativeLibrary load() {
        try {
            return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        } catch (LinkageError e) {
            return null;
        }
    }

    /** Binds the native methods of {@code group}; false where the library or one of them is missing. */
    private static boolean bind(Class<?> group) {
        if (C == null) return false;
        try {
            Native.register(group, C);
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** File descriptors: in every C library. Paths are NUL-terminated byte strings. */
    static final class Fd {
        static final boolean BOUND = bind(Fd.class);

        private Fd() {}

        static native int open(byte[] path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

        static native NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

        static native int poll(Pointer fds, NativeLong nfds, int timeoutMillis) throws LastErrorException;
    }

    /** inotify(7), and eventfd(2) to wake its reader. */
    static final class Inotify {
        static final boolean BOUND = bind(Inotify.class);

        private Inotify() {}

        static native int inotify_init1(int flags) throws LastErrorException;

        static native int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

        static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

        static native int eventfd(int initval, int flags) throws LastErrorException;
    }

    static final class SyncFs {
        static final boolean BOUND = bind(SyncFs.class);

        private SyncFs() {}

        static native int syncfs(int fd) throws LastErrorException;
    }

    /** statx(2); failures set errno, read with {@link Native#getLastError()} (no exception on the hot path). */
    static final class Statx {
        static final boolean BOUND = bind(Statx.class);

        private Statx() {}

        static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf);
    }

    /** renameat2(2) (glibc 2.28): a rename that can refuse to replace what is at the target. */
    static final class Rename {
        static final boolean BOUND = bind(Rename.class);

        private Rename() {}

        static native int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) throws LastErrorException;
    }

    /**
     * Calls relative to a directory descriptor, for reaching files of the folder without following
     * a symlink on the way.
     */
    static final class At {
        static final boolean BOUND = bind(At.class);

        private At() {}

        static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

        static native int mkdirat(int dirfd, byte[] path, int mode) throws LastErrorException;

        static native int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

        static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

        static native int chmod(byte[] path, int mode) throws LastErrorException;
    }

    /**
     * Opening a directory that is often not there: a folder's paths are looked up before they exist
     * (a file's directory before it is made, a path an event names after it went). Failures set
     * errno, read with {@link Native#getLastError()}: a {@link LastErrorException} costs two
     * exceptions with their stack traces and an error message, each time. {@code syscall} reaches
     * openat2(2), which C libraries do not wrap.
     */
    static final class Lookup {
        static final boolean BOUND = bind(Lookup.class);

        private Lookup() {}

        static native int openat(int dirfd, byte[] path, int flags, int mode);

        static native long syscall(long number, long dirfd, byte[] path, long[] how, long size);
    }

    /** Calls on an open file: its bytes, permission bits and times. */
    static final class OpenFile {
        static final boolean BOUND = bind(OpenFile.class);

        private OpenFile() {}

        static native NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

        static native int fchmod(int fd, int mode) throws LastErrorException;

        static native int futimens(int fd, long[] times) throws LastErrorException;
    }

    static final class Malloc {
        static final boolean BOUND = bind(Malloc.class);

        private Malloc() {}

        static native int malloc_trim(NativeLong pad);
    }

    /** {@code path} as the NUL-terminated UTF-8 bytes the kernel expects. */
    static byte[] cString(String path) {
        byte[] utf8 = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(utf8, utf8.length + 1);
    }
}
