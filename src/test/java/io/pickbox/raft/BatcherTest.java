package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.index.TestOps;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.pickbox.index.TestOps.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BatcherTest {

    /** Stands in for Ratis: records each message and lets the test complete it. */
    private final List<Proposal> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<List<Result>>> replies = new CopyOnWriteArrayList<>();
    /** Never falls quiet within a test: ops queued leave only when an entry completes. */
    private final Batcher batcher = new Batcher(this::send, 60_000);
    private final TestOps n1 = new TestOps("n1");

    private CompletableFuture<List<Result>> send(Message m) {
        sent.add(Proposal.parse(m.getContent()));
        CompletableFuture<List<Result>> f = new CompletableFuture<>();
        replies.add(f);
        return f;
    }

    @AfterEach
    void close() {
        batcher.close();
    }

    private static List<Result> appliedFor(Proposal p) {
        List<Result> out = new ArrayList<>();
        for (Op op : p.ops()) out.add(Result.applied(((Op.Mkdir) op).path(), 1));
        return out;
    }

    @Test
    void opsGoOutAloneWhileFewAreInFlightThenQueueAndLeaveAsOneBatchInOrder() throws Exception {
        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) results.add(batcher.submit(n1.mkdir("alone" + i), null));
        assertThat(sent).hasSize(Batcher.MAX_IN_FLIGHT).allSatisfy(p -> assertThat(p.ops()).hasSize(1));

        for (int i = 0; i < 10; i++) results.add(batcher.submit(n1.mkdir("queued" + i), null));
        assertThat(sent).hasSize(Batcher.MAX_IN_FLIGHT);

        replies.get(0).complete(appliedFor(sent.get(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 1);
        Proposal batch = sent.get(Batcher.MAX_IN_FLIGHT);
        assertThat(batch.ops()).extracting(op -> ((Op.Mkdir) op).path())
                .containsExactly("queued0", "queued1", "queued2", "queued3", "queued4", "queued5", "queued6", "queued7", "queued8", "queued9");
        // Sequence numbers reach the log in the order they were taken.
        assertThat(batch.ops()).extracting(op -> op.origin().seq()).isSorted();

        for (int i = 1; i < sent.size(); i++) replies.get(i).complete(appliedFor(sent.get(i)));
        for (int i = 0; i < results.size(); i++) {
            String expected = i < Batcher.MAX_IN_FLIGHT ? "alone" + i : "queued" + (i - Batcher.MAX_IN_FLIGHT);
            assertThat(results.get(i).get(5, TimeUnit.SECONDS).path()).isEqualTo(expected);
        }
    }

    /**
     * What a result sets off (the local table's writes for a hundred renames) runs on the replies
     * thread: the ops queued meanwhile must leave before it, not wait for it.
     */
    @Test
    void queuedOpsLeaveBeforeTheResultsOfTheEntryThatMadeRoomAreHandedOut() throws Exception {
        List<CompletableFuture<Result>> first = new ArrayList<>();
        for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) first.add(batcher.submit(n1.mkdir("busy" + i), null));
        batcher.submit(n1.mkdir("queued"), null);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Void> slowFollowUp = first.get(0).thenRun(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        replies.get(0).complete(appliedFor(sent.get(0)));
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 1);
            assertThat(sent.get(Batcher.MAX_IN_FLIGHT).ops()).extracting(op -> ((Op.Mkdir) op).path()).containsExactly("queued");
        } finally {
            release.countDown();
        }
        slowFollowUp.get(5, TimeUnit.SECONDS);
    }

    /**
     * A burst's tail (ops queued behind full slots, then no more coming) leaves without waiting for
     * an entry in flight to complete, as one entry; ops keep their order and sequence.
     */
    @Test
    void aBurstsTailLeavesOnceTheOpsStopComingWithoutWaitingForAnEntryInFlight() throws Exception {
        // A quiet time far above a loaded machine's pauses between two submits, so the tail is one.
        try (Batcher quiet = new Batcher(this::send, 500)) {
            List<CompletableFuture<Result>> results = new ArrayList<>();
            for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) results.add(quiet.submit(n1.mkdir("alone" + i), null));
            for (int i = 0; i < 10; i++) results.add(quiet.submit(n1.mkdir("tail" + i), null));

            await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 1);
            Proposal tail = sent.get(Batcher.MAX_IN_FLIGHT);
            assertThat(tail.ops()).extracting(op -> ((Op.Mkdir) op).path())
                    .containsExactly("tail0", "tail1", "tail2", "tail3", "tail4", "tail5", "tail6", "tail7", "tail8", "tail9");
            assertThat(tail.ops()).extracting(op -> op.origin().seq()).isSorted();

            for (int i = 0; i < sent.size(); i++) replies.get(i).complete(appliedFor(sent.get(i)));
            for (int i = 0; i < results.size(); i++) {
                String expected = i < Batcher.MAX_IN_FLIGHT ? "alone" + i : "tail" + (i - Batcher.MAX_IN_FLIGHT);
                assertThat(results.get(i).get(5, TimeUnit.SECONDS).path()).isEqualTo(expected);
            }
        }
    }

    /** Tails leave early only up to a bound of entries in flight; completions send the rest. */
    @Test
    void tailsLeaveEarlyOnlyUpToTheirBound() throws Exception {
        try (Batcher quiet = new Batcher(this::send)) {
            int extra = Batcher.MAX_IN_FLIGHT_AFTER_QUIET - Batcher.MAX_IN_FLIGHT;
            for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) quiet.submit(n1.mkdir("alone" + i), null);
            for (int t = 0; t < extra; t++) {
                quiet.submit(n1.mkdir("tail" + t), null);
                int expected = Batcher.MAX_IN_FLIGHT + t + 1;
                await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == expected);
            }
            CompletableFuture<Result> last = quiet.submit(n1.mkdir("last"), null);
            Thread.sleep(50 * Batcher.QUIET_MILLIS);
            assertThat(sent).hasSize(Batcher.MAX_IN_FLIGHT_AFTER_QUIET);

            for (int i = 0; i < Batcher.MAX_IN_FLIGHT_AFTER_QUIET; i++) replies.get(i).complete(appliedFor(sent.get(i)));
            await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT_AFTER_QUIET + 1);
            assertThat(sent.get(Batcher.MAX_IN_FLIGHT_AFTER_QUIET).ops()).extracting(op -> ((Op.Mkdir) op).path()).containsExactly("last");
            replies.get(Batcher.MAX_IN_FLIGHT_AFTER_QUIET).complete(appliedFor(sent.get(Batcher.MAX_IN_FLIGHT_AFTER_QUIET)));
            assertThat(last.get(5, TimeUnit.SECONDS).path()).isEqualTo("last");
        }
    }

    @Test
    void inlineBytesTravelWithTheirOpsAndABatchStopsAtItsByteLimit() throws Exception {
        for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) batcher.submit(n1.mkdir("busy" + i), null);
        byte[] big = new byte[Batcher.MAX_BYTES / 2 + 1];
        Op.Put a = n1.put("a.txt", "hello", 0);
        Op.Put b = new Op.Put(n1.next(), "big1", big.length, io.pickbox.folder.Hashing.sha256Hex(big),
                List.of(io.pickbox.folder.Hashing.sha256Hex(big)), 0644, 1, 0, true);
        Op.Put c = new Op.Put(n1.next(), "big2", big.length, io.pickbox.folder.Hashing.sha256Hex(big),
                List.of(io.pickbox.folder.Hashing.sha256Hex(big)), 0644, 1, 0, true);
        batcher.submit(a, ByteBuffer.wrap(bytes("hello")));
        batcher.submit(b, ByteBuffer.wrap(big));
        batcher.submit(c, ByteBuffer.wrap(big));

        replies.get(0).complete(appliedFor(sent.get(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 1);
        Proposal first = sent.get(Batcher.MAX_IN_FLIGHT);
        assertThat(first.ops()).containsExactly(a, b);
        assertThat(first.dataPerOp().get(0).toStringUtf8()).isEqualTo("hello");
        assertThat(first.dataPerOp().get(1).size()).isEqualTo(big.length);
        ProposalValidation.validate(first);

        replies.get(1).complete(appliedFor(sent.get(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 2);
        assertThat(sent.get(Batcher.MAX_IN_FLIGHT + 1).ops()).containsExactly(c);
    }

    @Test
    void aFailedEntryFailsEveryOpInIt() throws Exception {
        for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) batcher.submit(n1.mkdir("busy" + i), null);
        CompletableFuture<Result> x = batcher.submit(n1.mkdir("x"), null);
        CompletableFuture<Result> y = batcher.submit(n1.mkdir("y"), null);
        replies.get(0).complete(appliedFor(sent.get(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == Batcher.MAX_IN_FLIGHT + 1);
        replies.get(Batcher.MAX_IN_FLIGHT).completeExceptionally(new IllegalStateException("leader lost"));
        assertThatThrownBy(() -> x.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("leader lost");
        assertThatThrownBy(() -> y.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("leader lost");
    }

    @Test
    void chunksAreNeverBatchedNorQueued() {
        for (int i = 0; i < Batcher.MAX_IN_FLIGHT; i++) batcher.submit(n1.mkdir("busy" + i), null);
        byte[] data = bytes("chunk bytes");
        batcher.submit(new Op.Chunk(io.pickbox.folder.Hashing.sha256Hex(data), data.length), ByteBuffer.wrap(data));
        assertThat(sent).hasSize(Batcher.MAX_IN_FLIGHT + 1);
        assertThat(sent.get(Batcher.MAX_IN_FLIGHT).op()).isInstanceOf(Op.Chunk.class);
    }

    /**
     * Ratis completes replies while holding its client lock, which sending needs too: replies must
     * be handled on another thread, or a reply and a send under the batcher's lock deadlock.
     */
    @Test
    void repliesAreHandledOffTheThreadThatCompletesThem() throws Exception {
        CompletableFuture<Result> r = batcher.submit(n1.mkdir("d"), null);
        CompletableFuture<String> handledOn = r.thenApply(x -> Thread.currentThread().getName());
        replies.get(0).complete(appliedFor(sent.get(0)));
        assertThat(handledOn.get(5, TimeUnit.SECONDS)).isNotEqualTo(Thread.currentThread().getName());
    }
}
