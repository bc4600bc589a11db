package io.pickbox.index;

/**
 * Told of every committed change, on Raft's apply thread: implementations only take note and
 * return at once (the folder is brought up to date elsewhere).
 */
public interface IndexListener {

    /** {@code after} is null when the path left the index. */
    void changed(String path, Entry before, Entry after);

    /** A file or a whole directory moved; per-path {@link #changed} calls follow. */
    default void renamed(String from, String to) {}

    /** The whole index was replaced (snapshot installed): everything must be compared again. */
    default void reset() {}

    /** One op was applied with this result (for status, events and the proposer). */
    default void applied(long logIndex, Op op, Result result) {}
}
