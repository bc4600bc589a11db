package io.pickbox.sync;

import io.pickbox.transfer.FreeSpace;

import java.nio.file.Path;

/**
 * The free space of the file system that holds the folder, asked before a file of known size is
 * written there: a file that does not fit is not started, so it cannot fill the disk to its last
 * byte and make every other write fail with it.
 *
 * <p>A margin is kept free beyond the file: the node's own state (Raft log, blobs, local table)
 * lives in the folder by default, and it must be able to go on applying the log while files wait.
 */
final class DiskSpace {

    /** Where the space is read: the folder's file system in production, a figure in tests. */
    interface Probe {
        /** Bytes this process may still write; negative when unknown. */
        long usable();

        /** The file system's size in bytes; 0 or negative when unknown. */
        long total();
    }


    /** Why a file waits: it needs {@code needed} bytes (with the margin), {@code free} are left. */
    record Shortage(long needed, long free) {
        String reason() {
            return "waiting for disk space: needs " + FreeSpace.bytes(needed) + ", " + FreeSpace.bytes(free) + " free";
        }
    }

    private final Probe probe;

    DiskSpace(Probe probe) {
        this.probe = probe;
    }

    /** The file system of {@code root}: one statvfs per figure (0 from the JDK: unknown). */
    static DiskSpace of(Path root) {
        java.io.File f = root.toFile();
        return new DiskSpace(new Probe() {
            @Override
            public long usable() {
                return f.getTotalSpace() > 0 ? f.getUsableSpace() : -1;
            }

            @Override
            public long total() {
                return f.getTotalSpace();
            }
        });
    }

    /** Space that never runs out (tests that are not about it). */
    static DiskSpace unlimited() {
        return new DiskSpace(new Probe() {
            @Override
            public long usable() {
                return Long.MAX_VALUE / 2;
            }

            @Override
            public long total() {
                return Long.MAX_VALUE / 2;
            }
        });
    }

    /** The bytes kept free on a file system of {@code total} bytes (see {@link FreeSpace#margin}). */
    static long margin(long total) {
        return FreeSpace.margin(total);
    }

    /**
     * Null when {@code bytes} more fit with the margin to spare, or when the free space cannot be
     * read (the write then tells); else what is missing.
     */
    Shortage check(long bytes) {
        long usable = probe.usable();
        if (usable < 0) return null;
        long needed = bytes + margin(probe.total());
        return usable >= needed ? null : new Shortage(needed, usable);
    }

}
