package io.pickbox.sync;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class UploaderTest {

    /**
     * Apply drops an op whose sequence is not above the last one applied from its node (it takes it
     * for a retry). Proposals built on several threads must therefore reach the cluster in the order
     * of their sequence numbers: numbering and sending happen as one step.
     */
    @Test
    void concurrentProposalsLeaveInSequenceOrder() throws Exception {
        List<Long> seen = new ArrayList<>();
        Proposer recording = (op, data) -> {
            synchronized (seen) {
                seen.add(Op.originOf(op).seq());
            }
            return CompletableFuture.completedFuture(Result.applied("x", 1));
        };
        Uploader uploader = new Uploader("n1", new Index(), recording, h -> false);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        uploader.submit(new Op.Mkdir(new Op.Origin("n1", 0), "d" + thread + "-" + i, 0755, 1), null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(4000).isSorted().doesNotHaveDuplicates();
        assertThat(seen.get(0)).isGreaterThan(0);
    }

    @Test
    void sequencesStartAboveWhatTheClusterAlreadyApplied() throws Exception {
        Index index = new Index();
        long future = System.currentTimeMillis() * 1000 + 1_000_000_000L;
        index.apply(new Op.Mkdir(new Op.Origin("n1", future), "d", 0755, 1), 1);
        List<Long> seen = new ArrayList<>();
        Uploader uploader = new Uploader("n1", index, (op, data) -> {
            seen.add(Op.originOf(op).seq());
            return CompletableFuture.completedFuture(Result.applied("x", 1));
        }, h -> false);
        uploader.submit(new Op.Mkdir(new Op.Origin("n1", 0), "e", 0755, 1), null);
        assertThat(seen).containsExactly(future + 1);
    }
}
