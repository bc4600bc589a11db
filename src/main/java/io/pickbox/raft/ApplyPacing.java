package io.pickbox.raft;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Keeps a member that replays a long log (a new member, one back from a pause) from appending far
 * more than it has applied: every entry appended and not yet applied stays in memory (Ratis keeps
 * its transaction and its log cache keeps it until it is applied), and nothing else bounds how many.
 * Ratis acknowledges an entry, and takes the next ones, only once the state machine's write of it
 * completes; the future {@link #admit} returns for that write completes when this member has applied
 * up to {@link #LAG} entries behind it, so the leader sends no faster than this member applies.
 *
 * <p>It waits only for what is bound to be applied without it: entries this member already counts
 * as committed (waiting for more would wait on its own acknowledgements), and only for entries the
 * cluster has committed already, so a member that the leader needs for a majority never slows down a
 * live proposal. It never waits longer than {@link #MAX_WAIT}, less than the leader waits for an
 * answer before it counts the member as failing and sends it more.
 */
final class ApplyPacing {

    /** Appended entries a member may hold ahead of what it applied: plenty to keep applying busy. */
    static final int LAG = 512;
    static final Duration MAX_WAIT = Duration.ofSeconds(2);

    private final LongSupplier ownCommit;
    private final LongSupplier clusterCommit;
    private final LongFunction<CompletableFuture<Void>> awaitApplied;
    private final int lag;
    private final Duration maxWait;

    /**
     * @param ownCommit     the last index this member counts as committed
     * @param clusterCommit the highest commit index this member knows of in the cluster
     * @param awaitApplied  completes once this member has applied the given index
     */
    ApplyPacing(LongSupplier ownCommit, LongSupplier clusterCommit, LongFunction<CompletableFuture<Void>> awaitApplied,
                int lag, Duration maxWait) {
        this.ownCommit = ownCommit;
        this.clusterCommit = clusterCommit;
        this.awaitApplied = awaitApplied;
        this.lag = lag;
        this.maxWait = maxWait;
    }

    /** Completes when the entry at {@code index}, just appended, may be acknowledged. */
    CompletableFuture<Void> admit(long index) {
        if (index > clusterCommit.getAsLong()) return CompletableFuture.completedFuture(null);
        long upTo = Math.min(index - lag, ownCommit.getAsLong());
        if (upTo <= 0) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> applied = awaitApplied.apply(upTo);
        if (applied.isDone()) return applied;
        // Its own future: the one awaitApplied shares with others must not complete on this timeout.
        CompletableFuture<Void> admitted = new CompletableFuture<>();
        applied.whenComplete((v, e) -> admitted.complete(null));
        return admitted.completeOnTimeout(null, maxWait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
