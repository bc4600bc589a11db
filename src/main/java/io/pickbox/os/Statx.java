package io.pickbox.os;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code statx(2)} straight from the C library. The JDK's named-attribute read parses the
 * attribute list, fills a map and throws an exception for a path that does not exist, which cost
 * far more than the system call when every replicated file is stat'ed a few times; here a missing
 * path is just null. The statx layout is the same on every architecture, unlike stat's.
 *
 * @param mode        {@code st_mode}: the file type and permission bits
 * @param mtimeMillis as the JDK's {@code FileTime.toMillis()} of the modification time
 * @param ctimeNanos  the status change time in nanoseconds since the epoch, as the JDK reads it
 */
public record Statx(int mode, long size, long inode, long mtimeMillis, long ctimeNanos) {

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_MTIME = 0x40, STATX_CTIME = 0x80,
            STATX_INO = 0x100, STATX_SIZE = 0x200;
    private static final int NEEDED = STATX_TYPE | STATX_MODE | STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE;
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFLNK = 0120000, S_IFREG = 0100000;

    /** Marks a path this class cannot answer for; the caller asks the JDK instead. */
    public static final Statx UNKNOWN = new Statx(0, -1, 0, 0, 0);

    private static final boolean AVAILABLE = probe();
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[256]);

    private static boolean probe() {
        // The JDK turns path names into bytes with sun.jnu.encoding; so must this, and UTF-8 is the one we support.
        if (!Platform.isLinux() || !"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) return false;
        return LibC.Statx.BOUND
                && LibC.Statx.statx(AT_FDCWD, new byte[] {'/', 0}, AT_SYMLINK_NOFOLLOW, NEEDED, new byte[256]) == 0;
    }

    /** The stat of {@code p} (not following a symlink), null if it does not exist, {@link #UNKNOWN} otherwise. */
    public static Statx read(Path p) {
        if (!AVAILABLE) return UNKNOWN;
        return readAt(AT_FDCWD, LibC.cString(p.toAbsolutePath().toString()), AT_SYMLINK_NOFOLLOW);
    }

    /** The stat of {@code name} in the directory open as {@code dirfd}, as {@link #read}. */
    static Statx readAt(int dirfd, String name) {
        if (!AVAILABLE) return UNKNOWN;
        return readAt(dirfd, LibC.cString(name), AT_SYMLINK_NOFOLLOW);
    }

    /** The stat of what {@code fd} is open on (an O_PATH descriptor too), as {@link #read}. */
    static Statx readOpen(int fd) {
        if (!AVAILABLE) return UNKNOWN;
        return readAt(fd, new byte[] {0}, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    }

    static boolean available() {
        return AVAILABLE;
    }

    private static Statx readAt(int dirfd, byte[] path, int flags) {
        byte[] buf = BUFFERS.get();
        if (LibC.Statx.statx(dirfd, path, flags, NEEDED, buf) != 0) {
            int errno = Native.getLastError();
            return errno == Errno.ENOENT || errno == Errno.ENOTDIR ? null : UNKNOWN;
        }
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        if ((b.getInt(0) & NEEDED) != NEEDED) return UNKNOWN;
        long ctimeSec = b.getLong(96), mtimeSec = b.getLong(112);
        long ctimeNsec = b.getInt(104) & 0xffffffffL, mtimeNsec = b.getInt(120) & 0xffffffffL;
        return new Statx(b.getShort(28) & 0xffff, b.getLong(40), b.getLong(32), millis(mtimeSec, mtimeNsec),
                nanos(ctimeSec, ctimeNsec));
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** The permission bits ({@code st_mode & 07777}). */
    public int permissions() {
        return mode & 07777;
    }

    /** As the JDK's {@code FileTime.toMillis()} of the time it reads: nanoseconds truncated toward zero. */
    static long millis(long sec, long nsec) {
        if (nsec == 0) return saturatedMillis(sec);
        try {
            return Math.addExact(nsec, Math.multiplyExact(sec, 1_000_000_000L)) / 1_000_000L;
        } catch (ArithmeticException overflow) {
            return (sec * 1_000_000L + nsec / 1_000L) / 1_000L;
        }
    }

    private static long saturatedMillis(long sec) {
        if (sec > Long.MAX_VALUE / 1000) return Long.MAX_VALUE;
        if (sec < Long.MIN_VALUE / 1000) return Long.MIN_VALUE;
        return sec * 1000;
    }

    /** As the JDK's {@code FileTime.to(NANOSECONDS)} of the time it reads. */
    static long nanos(long sec, long nsec) {
        try {
            return Math.addExact(nsec, Math.multiplyExact(sec, 1_000_000_000L));
        } catch (ArithmeticException overflow) {
            return TimeUnit.MICROSECONDS.toNanos(sec * 1_000_000L + nsec / 1_000L);
        }
    }
}
