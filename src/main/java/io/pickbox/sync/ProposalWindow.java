package io.pickbox.sync;

/**
 * Bounds what this node has in flight towards the cluster, by count and by bytes: proposals sent
 * and not yet answered (those waiting in the Raft client's batcher included) and chunks being
 * pushed to the peers. A change that finds room goes at once; one that does not waits, on the
 * thread that would send it, until earlier ones complete. When Raft is slower than the folder,
 * the changes still to send thus wait as dirty paths in the scheduler, not as proposals holding
 * their bytes.
 */
final class ProposalWindow {

    /**
     * Enough to keep the Raft batcher's entries full (a few entries of up to 256 ops in flight,
     * and the next batch waiting); each costs about a kilobyte of heap until its reply.
     */
    static final int MAX_COUNT = 1024;
    /** Chunks travel as 1 MiB arrays: eight keep the pushes to the peers streaming. */
    static final long MAX_BYTES = 8 << 20;

    private final int maxCount;
    private final long maxBytes;
    private int count;
    private long bytes;

    ProposalWindow() {
        this(MAX_COUNT, MAX_BYTES);
    }

    ProposalWindow(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** Takes room for one change of {@code size} bytes, waiting until there is some. */
    synchronized void acquire(long size) throws InterruptedException {
        awaitRoom(size);
        count++;
        bytes += size;
    }

    /**
     * Waits until a change of {@code size} bytes would fit, without taking the room: a file is read
     * only when it could be sent.
     */
    synchronized void awaitRoom(long size) throws InterruptedException {
        while (!fits(size)) wait();
    }

    synchronized void release(long size) {
        count--;
        bytes -= size;
        notifyAll();
    }

    /** A change larger than the byte bound goes when nothing else is in flight. */
    private boolean fits(long size) {
        return count == 0 || (count < maxCount && bytes + size <= maxBytes);
    }

    synchronized int count() {
        return count;
    }

    synchronized long bytes() {
        return bytes;
    }
}
