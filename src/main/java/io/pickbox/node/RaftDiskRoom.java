package io.pickbox.node;

import io.pickbox.transfer.FreeSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Room for the Raft log before it starts. A node whose log disk filled up stops (its supervisor
 * restarts it); were it to start again on a disk still full, it would fail again at its first entry,
 * over and over. It waits here instead, saying so once, and starts by itself once there is room.
 */
final class RaftDiskRoom {

    private static final Logger LOG = LoggerFactory.getLogger(RaftDiskRoom.class);
    static final long POLL_MILLIS = 2000;

    private RaftDiskRoom() {}

    /**
     * What the state directory needs free to start: two log segments (the open one and the next,
     * allocated ahead), and room for the store's write-ahead log (allocated ahead too, at about a
     * write buffer's size) and the first blobs.
     */
    static long needed(long segmentBytes) {
        return 2 * segmentBytes + (32L << 20);
    }

    /** Returns once {@code usable} reports at least {@code needed} bytes, or the thread is interrupted. */
    static void await(Path dir, long needed, LongSupplier usable) {
        long free = usable.getAsLong();
        if (free < 0 || free >= needed) return;
        LOG.error("Waiting for room under {} before starting Raft: {} free, needs {}; free space there and the node starts by itself",
                dir, FreeSpace.bytes(free), FreeSpace.bytes(needed));
        long since = System.nanoTime();
        while ((free = usable.getAsLong()) >= 0 && free < needed) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("Room under {} now ({} free) after {} s: starting Raft", dir, FreeSpace.bytes(free), (System.nanoTime() - since) / 1_000_000_000L);
    }

    /** The usable space of the file system holding {@code dir} (or its nearest existing parent); -1 when unknown. */
    static long usable(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            java.io.File f = p.toFile();
            if (f.isDirectory()) return f.getTotalSpace() > 0 ? f.getUsableSpace() : -1;
        }
        return -1;
    }

}
