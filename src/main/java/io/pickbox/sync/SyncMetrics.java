package io.pickbox.sync;

/** What the sync engine counts for metrics; implementations must be cheap and never throw. */
public interface SyncMetrics {

    SyncMetrics NONE = new SyncMetrics() {};

    /** Bytes of chunks not sent because the cluster already held them. */
    default void dedupedBytes(long bytes) {}

    /** Bytes of chunks pushed straight to every peer instead of through the Raft log. */
    default void pushedBytes(long bytes) {}

    /** A subtree (or the whole folder) is compared again. */
    default void rescan() {}
}
