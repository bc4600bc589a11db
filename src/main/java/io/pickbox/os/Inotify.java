package io.pickbox.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * An inotify(7) instance: an inotify fd plus an eventfd used only to wake the reader thread out of
 * poll() on close. Owns both fds; once closed, every method is a harmless no-op so a late wakeUp()
 * can never write to a recycled fd number. What the events mean is the watcher's business.
 */
public final class Inotify {
    public enum Ready { EVENTS, WOKEN, TIMEOUT }

    // <sys/inotify.h>
    public static final int IN_MODIFY = 0x00000002;
    public static final int IN_ATTRIB = 0x00000004;
    public static final int IN_CLOSE_WRITE = 0x00000008;
    public static final int IN_MOVED_FROM = 0x00000040;
    public static final int IN_MOVED_TO = 0x00000080;
    public static final int IN_CREATE = 0x00000100;
    public static final int IN_DELETE = 0x00000200;
    public static final int IN_DELETE_SELF = 0x00000400;
    public static final int IN_MOVE_SELF = 0x00000800;
    public static final int IN_UNMOUNT = 0x00002000;
    public static final int IN_Q_OVERFLOW = 0x00004000;
    public static final int IN_IGNORED = 0x00008000;
    public static final int IN_ONLYDIR = 0x01000000;
    public static final int IN_DONT_FOLLOW = 0x02000000;
    public static final int IN_EXCL_UNLINK = 0x04000000;
    public static final int IN_ISDIR = 0x40000000;
    /** Same value as O_CLOEXEC on x86, arm, arm64, riscv, s390, ppc (not alpha/sparc/parisc). */
    private static final int IN_CLOEXEC = 0x00080000;
    private static final short POLLIN = 0x0001; // <poll.h>

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

    private final int inotifyFd;
    private final int wakeFd;
    private final Memory pollFds = new Memory(2L * POLLFD_SIZE);
    private final Memory readBuffer = new Memory(BUFFER_SIZE);
    private final Memory wakeValue = new Memory(8);
    private final Memory probeFd = new Memory(POLLFD_SIZE);
    private boolean closed;

    private Inotify(int inotifyFd, int wakeFd) {
        this.inotifyFd = inotifyFd;
        this.wakeFd = wakeFd;
        wakeValue.setLong(0, 1L);
    }

    /** @throws UnsatisfiedLinkError where the C library has no inotify */
    public static Inotify open() throws IOException {
        if (!LibC.Fd.BOUND || !LibC.Inotify.BOUND) throw new UnsatisfiedLinkError("inotify is not available here");
        int ifd;
        try {
            ifd = LibC.Inotify.inotify_init1(IN_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("inotify_init1 failed, errno " + e.getErrorCode()
                    + (e.getErrorCode() == Errno.EMFILE ? " (fs.inotify.max_user_instances reached?)" : ""), e);
        }
        try {
            // No flags: the JDK closes inherited fds in child processes anyway, and flag values are arch-specific.
            int efd = LibC.Inotify.eventfd(0, 0);
            return new Inotify(ifd, efd);
        } catch (LastErrorException e) {
            LibC.Fd.close(ifd);
            throw new IOException("eventfd failed, errno " + e.getErrorCode(), e);
        }
    }

    /** Returns the watch descriptor, or -errno on failure (failures are expected and handled by the caller). */
    public synchronized int addWatch(Path dir, int mask) {
        if (closed) {
            return -Errno.ENOENT;
        }
        try {
            return LibC.Inotify.inotify_add_watch(inotifyFd, LibC.cString(dir.toString()), mask);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    public synchronized void removeWatch(int wd) {
        if (closed) {
            return;
        }
        try {
            LibC.Inotify.inotify_rm_watch(inotifyFd, wd);
        } catch (LastErrorException e) {
            // EINVAL: the kernel already dropped it (dir deleted); nothing to release.
        }
    }

    /** Blocks until events are readable, close() woke us, or timeoutMillis (-1 = forever) passed. */
    public Ready await(int timeoutMillis) {
        pollFds.setInt(0, inotifyFd);
        pollFds.setShort(4, POLLIN);
        pollFds.setShort(6, (short) 0);
        pollFds.setInt(POLLFD_SIZE, wakeFd);
        pollFds.setShort(POLLFD_SIZE + 4, POLLIN);
        pollFds.setShort(POLLFD_SIZE + 6, (short) 0);
        int n;
        try {
            n = LibC.Fd.poll(pollFds, new NativeLong(2), timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EINTR) {
                return Ready.TIMEOUT;
            }
            throw e;
        }
        if (n <= 0) {
            return Ready.TIMEOUT;
        }
        if (pollFds.getShort(POLLFD_SIZE + 6) != 0) {
            return Ready.WOKEN;
        }
        return pollFds.getShort(6) != 0 ? Ready.EVENTS : Ready.TIMEOUT;
    }

    /** Non-blocking check whether the kernel queue still holds events (i.e. we have not drained it). */
    public boolean hasQueuedEvents() {
        probeFd.setInt(0, inotifyFd);
        probeFd.setShort(4, POLLIN);
        probeFd.setShort(6, (short) 0);
        try {
            return LibC.Fd.poll(probeFd, new NativeLong(1), 0) > 0;
        } catch (LastErrorException e) {
            return true; // EINTR: assume yes, we will simply look again.
        }
    }

    /** One read(2); only call after await() said EVENTS so it does not block. */
    public ByteBuffer read() {
        long n;
        try {
            n = LibC.Fd.read(inotifyFd, readBuffer, new NativeLong(BUFFER_SIZE)).longValue();
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EINTR) {
                return ByteBuffer.allocate(0);
            }
            throw e;
        }
        return readBuffer.getByteBuffer(0, Math.max(0, n));
    }

    public synchronized void wakeUp() {
        if (closed) {
            return;
        }
        try {
            LibC.Fd.write(wakeFd, wakeValue, new NativeLong(8));
        } catch (LastErrorException e) {
            // Counter overflow is impossible in practice; the reader will still see the flag on its next wake.
        }
    }

    /** Closing the inotify fd releases every watch in one go. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(inotifyFd);
        closeQuietly(wakeFd);
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.Fd.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing useful to do; the fd is gone either way.
        }
    }
}
