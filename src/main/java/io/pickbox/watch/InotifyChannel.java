package io.pickbox.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The native side of the inotify watcher: an inotify fd plus an eventfd used only to wake the
 * reader thread out of poll() on close. Owns both fds; once closed, every method is a harmless
 * no-op so a late wakeUp() can never write to a recycled fd number.
 */
final class InotifyChannel {
    enum Ready { EVENTS, WOKEN, TIMEOUT }

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

    private final int inotifyFd;
    private final int wakeFd;
    private final Memory pollFds = new Memory(2L * POLLFD_SIZE);
    private final Memory readBuffer = new Memory(BUFFER_SIZE);
    private final Memory wakeValue = new Memory(8);
    private final Memory probeFd = new Memory(POLLFD_SIZE);
    private boolean closed;

    private InotifyChannel(int inotifyFd, int wakeFd) {
        this.inotifyFd = inotifyFd;
        this.wakeFd = wakeFd;
        wakeValue.setLong(0, 1L);
    }

    static InotifyChannel open() throws IOException {
        int ifd;
        try {
            ifd = LibC.inotify_init1(LibC.IN_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("inotify_init1 failed, errno " + e.getErrorCode()
                    + (e.getErrorCode() == 24 ? " (fs.inotify.max_user_instances reached?)" : ""), e);
        }
        try {
            // No flags: the JDK closes inherited fds in child processes anyway, and flag values are arch-specific.
            int efd = LibC.eventfd(0, 0);
            return new InotifyChannel(ifd, efd);
        } catch (LastErrorException e) {
            LibC.close(ifd);
            throw new IOException("eventfd failed, errno " + e.getErrorCode(), e);
        }
    }

    /** Returns the watch descriptor, or -errno on failure (failures are expected and handled by the caller). */
    synchronized int addWatch(Path dir, int mask) {
        if (closed) {
            return -LibC.ENOENT;
        }
        byte[] utf8 = dir.toString().getBytes(StandardCharsets.UTF_8);
        byte[] cString = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, cString, 0, utf8.length);
        try {
            return LibC.inotify_add_watch(inotifyFd, cString, mask);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    synchronized void removeWatch(int wd) {
        if (closed) {
            return;
        }
        try {
            LibC.inotify_rm_watch(inotifyFd, wd);
        } catch (LastErrorException e) {
            // EINVAL: the kernel already dropped it (dir deleted); nothing to release.
        }
    }

    /** Blocks until events are readable, close() woke us, or timeoutMillis (-1 = forever) passed. */
    Ready await(int timeoutMillis) {
        pollFds.setInt(0, inotifyFd);
        pollFds.setShort(4, LibC.POLLIN);
        pollFds.setShort(6, (short) 0);
        pollFds.setInt(POLLFD_SIZE, wakeFd);
        pollFds.setShort(POLLFD_SIZE + 4, LibC.POLLIN);
        pollFds.setShort(POLLFD_SIZE + 6, (short) 0);
        int n;
        try {
            n = LibC.poll(pollFds, new NativeLong(2), timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
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
    boolean hasQueuedEvents() {
        probeFd.setInt(0, inotifyFd);
        probeFd.setShort(4, LibC.POLLIN);
        probeFd.setShort(6, (short) 0);
        try {
            return LibC.poll(probeFd, new NativeLong(1), 0) > 0;
        } catch (LastErrorException e) {
            return true; // EINTR: assume yes, we will simply look again.
        }
    }

    /** One read(2); only call after await() said EVENTS so it does not block. */
    ByteBuffer read() {
        long n;
        try {
            n = LibC.read(inotifyFd, readBuffer, new NativeLong(BUFFER_SIZE)).longValue();
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return ByteBuffer.allocate(0);
            }
            throw e;
        }
        return readBuffer.getByteBuffer(0, Math.max(0, n));
    }

    synchronized void wakeUp() {
        if (closed) {
            return;
        }
        try {
            LibC.write(wakeFd, wakeValue, new NativeLong(8));
        } catch (LastErrorException e) {
            // Counter overflow is impossible in practice; the reader will still see the flag on its next wake.
        }
    }

    /** Closing the inotify fd releases every watch in one go. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(inotifyFd);
        closeQuietly(wakeFd);
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing useful to do; the fd is gone either way.
        }
    }
}
