package io.pickbox.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Ports for test nodes. Each test JVM claims a slice of its own below Linux's ephemeral range (which
 * starts at 32768) by locking a file, and hands out the slice's ports in turn, each one bindable
 * when handed out. Asking the kernel for port 0 instead gives every JVM the same pool, and two
 * integration test JVMs running side by side then now and then picked the same port; a port from
 * the ephemeral range can also be taken by any outgoing connection before the node binds it.
 * The lock is the operating system's, so it holds across JVMs, builds and working copies, and is
 * released however the JVM ends.
 */
final class TestPorts {

    private static final int LOW = 10_000;
    private static final int SLICE = 4_400;
    private static final int SLICES = 5;
    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "pickbox-test-ports");

    private static Slice slice;

    private TestPorts() {
    }

    /** {@code n} different ports, each bindable just now. */
    static synchronized int[] free(int n) throws IOException {
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) ports[i] = slice().nextBindable();
        return ports;
    }

    /**
     * A base port {@code p} such that {@code p + offset + i} is bindable for every offset given and
     * every {@code i < count}, all in this JVM's slice.
     */
    static synchronized int block(int count, int... offsets) throws IOException {
        int span = count;
        for (int offset : offsets) span = Math.max(span, offset + count);
        Slice s = slice();
        for (int attempt = 0; attempt < 100; attempt++) {
            int p = s.reserve(span);
            if (allBindable(p, count, offsets)) return p;
        }
        throw new IOException("no block of " + span + " ports with all of them free in " + s);
    }

    private static Slice slice() throws IOException {
        if (slice == null) slice = Slice.claim();
        return slice;
    }

    private static boolean allBindable(int p, int count, int[] offsets) {
        for (int offset : offsets) {
            for (int i = 0; i < count; i++) if (!bindable(p + offset + i)) return false;
        }
        return true;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The ports [start, start + SLICE) this JVM holds while its lock is held. */
    private static final class Slice {
        private final int start;
        /** Held for the JVM's life: closing its channel would release the slice. */
        private final FileLock lock;
        private int next;

        private Slice(int start, FileLock lock) {
            this.start = start;
            this.lock = lock;
            this.next = start;
        }

        static Slice claim() throws IOException {
            Files.createDirectories(LOCKS);
            for (int k = 0; k < SLICES; k++) {
                FileChannel channel = FileChannel.open(LOCKS.resolve("slice-" + k + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock != null) return new Slice(LOW + k * SLICE, lock);
                channel.close();
            }
            throw new IOException("all " + SLICES + " test port slices are held by other test JVMs (locks in " + LOCKS + ")");
        }

        int nextBindable() throws IOException {
            for (int tried = 0; tried < SLICE; tried++) {
                int p = reserve(1);
                if (bindable(p)) return p;
            }
            throw new IOException("no free port in " + this);
        }

        /** The first of {@code span} consecutive ports not handed out lately, wrapping at the end. */
        int reserve(int span) {
            if (next + span > start + SLICE) next = start;
            int p = next;
            next += span;
            return p;
        }

        @Override
        public String toString() {
            return "ports " + start + "-" + (start + SLICE - 1);
        }
    }
}
