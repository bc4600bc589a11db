package io.pickbox.sync;

/** What the sync engine counts for metrics; implementations must be cheap and never throw. */
public interface SyncMetrics {

    SyncMetrics NONE = new SyncMetrics() {};

    /** Bytes of chunks not sent because the cluster already held them. */
    default void dedupedBytes(long bytes) {}

    /** Bytes of chunks pushed straight to every peer instead of through the Raft log. */
    default void pushedBytes(long bytes) {}

    /** Bytes of a received large file copied from files already in this node's folder instead of fetched. */
    default void copiedLocally(long bytes) {}

    /** Bytes of a received large file fetched from peers when its commit came (not pushed before it). */
    default void fetchedAtCommit(long bytes) {}

    /** A subtree (or the whole folder) is compared again. */
    default void rescan() {}

    /** Where what waits and what is in flight are read, at scrape time. */
    default void backlog(Backlog backlog) {}

    /** What this node has in flight towards the cluster, and what waits to be sent. */
    interface Backlog {
        /** Proposals and chunk pushes sent and not answered yet. */
        int inFlight();

        /** Their file bytes. */
        long bytesInFlight();

        /** Dirty paths whose comparison (and proposal) has not started yet. */
        int pathsWaiting();

        /** Paths waiting to be written into the folder for disk space or for permission. */
        default SyncEngine.Stalls stalls() {
            return SyncEngine.Stalls.NONE;
        }
    }
}
