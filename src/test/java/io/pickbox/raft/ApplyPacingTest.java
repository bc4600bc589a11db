package io.pickbox.raft;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ApplyPacingTest {

    private static final int LAG = 10;

    private final AtomicLong ownCommit = new AtomicLong();
    private final AtomicLong clusterCommit = new AtomicLong();
    private final Applied applied = new Applied();

    private ApplyPacing pacing(Duration maxWait) {
        return new ApplyPacing(ownCommit::get, clusterCommit::get, applied::await, LAG, maxWait);
    }

    @Test
    void anEntryFarAheadOfWhatIsAppliedWaitsUntilApplyingComesWithinTheLag() {
        ownCommit.set(200);
        clusterCommit.set(1_000);
        applied.upTo(50);
        CompletableFuture<Void> admitted = pacing(Duration.ofHours(1)).admit(100);
        assertThat(admitted).isNotDone();
        applied.upTo(89);
        assertThat(admitted).isNotDone();
        applied.upTo(90);
        assertThat(admitted).isCompleted();
    }

    @Test
    void anEntryWithinTheLagOfWhatIsAppliedGoesAtOnce() {
        ownCommit.set(200);
        clusterCommit.set(1_000);
        applied.upTo(95);
        assertThat(pacing(Duration.ofHours(1)).admit(100)).isCompleted();
        assertThat(pacing(Duration.ofHours(1)).admit(LAG)).isCompleted();
    }

    /** Entries past this member's commit index become committed only through its own acknowledgements. */
    @Test
    void itNeverWaitsForMoreThanThisMemberCountsAsCommitted() {
        ownCommit.set(40);
        clusterCommit.set(1_000);
        applied.upTo(30);
        CompletableFuture<Void> admitted = pacing(Duration.ofHours(1)).admit(500);
        assertThat(admitted).isNotDone();
        applied.upTo(40);
        assertThat(admitted).isCompleted();
    }

    /** A live entry: the leader may need this member for a majority, and must not wait on its applying. */
    @Test
    void anEntryTheClusterHasNotCommittedYetGoesAtOnce() {
        ownCommit.set(200);
        clusterCommit.set(200);
        applied.upTo(0);
        assertThat(pacing(Duration.ofHours(1)).admit(201)).isCompleted();
    }

    @Test
    void aStalledApplyHoldsAnEntryBackNoLongerThanTheMaximumWait() {
        ownCommit.set(200);
        clusterCommit.set(1_000);
        applied.upTo(0);
        CompletableFuture<Void> admitted = pacing(Duration.ofMillis(50)).admit(100);
        await().atMost(Duration.ofSeconds(10)).until(admitted::isDone);
        assertThat(admitted).isCompleted();
        assertThat(applied.await(90)).as("others waiting for that entry still wait").isNotDone();
    }

    /** Waiters per index, completed as applying passes them, shared by all who wait for one index. */
    private static final class Applied {
        private long index;
        private final TreeMap<Long, CompletableFuture<Void>> waiters = new TreeMap<>();

        synchronized CompletableFuture<Void> await(long i) {
            if (i <= index) return CompletableFuture.completedFuture(null);
            return waiters.computeIfAbsent(i, k -> new CompletableFuture<>());
        }

        void upTo(long i) {
            var ready = new java.util.ArrayList<CompletableFuture<Void>>();
            synchronized (this) {
                index = i;
                var head = waiters.headMap(i, true);
                ready.addAll(head.values());
                head.clear();
            }
            ready.forEach(f -> f.complete(null));
        }
    }
}
