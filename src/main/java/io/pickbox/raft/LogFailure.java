package io.pickbox.raft;

import io.pickbox.transfer.FreeSpace;

import java.io.File;
import java.nio.file.Path;

/**
 * A Raft log that could not be written. Ratis 3.3.0 then fails its log worker for good: every later
 * append fails with "Log already failed" until the server is restarted, while the server itself
 * keeps running, answers as a follower and logs each refused append with its stack trace. Nothing
 * is written after the failure, and Ratis allocates a segment's space before it writes an entry
 * there (preallocation), so a full disk fails that allocation, never an entry half written: the log
 * on disk stays whole, and a restart, once the disk has room, catches up from the others.
 */
final class LogFailure {

    private LogFailure() {}

    /**
     * Whether Ratis's report of a failed log operation ({@code notifyLogFailed}) is a failed write:
     * the log worker's own error or a blob of an entry not stored. A failure to read an entry's data
     * back for a follower is reported the same way and only costs that follower a retry.
     */
    static boolean isWrite(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.startsWith("Failed to read state machine data")) return false;
        }
        return true;
    }

    /** One line: what failed, and the room left on the disk of {@code dir}. */
    static String describe(Path dir, Throwable cause) {
        return "the Raft log in " + dir + " cannot be written (" + what(cause) + "); " + room(dir);
    }

    /** One line: which entry could not be applied, why, and the room left on the disk of the state in {@code dir}. */
    static String describeApply(Path dir, long logIndex, Throwable cause) {
        return "log entry " + logIndex + " could not be applied (" + what(cause) + "); " + room(dir);
    }

    /** The error at the root of {@code cause}: its message, or its kind when it has none. */
    private static String what(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** "X free of Y on its disk", as far as it can be read. */
    static String room(Path dir) {
        File f = dir.toFile();
        long free = f.getUsableSpace(), total = f.getTotalSpace();
        if (total <= 0) return "the free space of its disk cannot be read";
        return FreeSpace.bytes(free) + " free of " + FreeSpace.bytes(total) + " on its disk";
    }

}
