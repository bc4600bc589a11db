package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.apache.ratis.protocol.Message;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Groups this node's proposals into Raft entries. An op arriving while few entries are in flight
 * goes out at once, alone (no added latency); ops arriving meanwhile queue up and leave together
 * as one batch entry when an entry completes. A burst of small files thus costs a few log entries,
 * not one each. A burst's tail does not wait for an entry to complete: once no op has arrived for
 * {@link #QUIET_MILLIS}, what is queued leaves, up to {@link #MAX_IN_FLIGHT_AFTER_QUIET} entries in
 * flight (a steady stream never falls quiet, and keeps batching on completions). Ops leave in the
 * order they arrived, which keeps each node's sequence numbers in log order. Chunks carry their
 * bytes outside the log and are never batched.
 */
final class Batcher implements AutoCloseable {

    /** Entries in flight from this node; more queue up (and batch). */
    static final int MAX_IN_FLIGHT = 3;
    /** Entries in flight once the ops have stopped coming: a burst's tail need not wait a round trip. */
    static final int MAX_IN_FLIGHT_AFTER_QUIET = 6;
    /** How long no op arrives before the queue counts as a burst's tail. */
    static final long QUIET_MILLIS = 2;
    static final int MAX_OPS = 256;
    /** File bytes per batch entry: well below Ratis's per-entry limit. */
    static final int MAX_BYTES = PickboxStateMachine.MAX_CHUNK;

    private record Pending(Op op, ByteBuffer data, CompletableFuture<Result> result) {
        int bytes() {
            return data == null ? 0 : data.remaining();
        }
    }

    /** Sends one message and completes with the results of its ops, once applied on this node. */
    private final Function<Message, CompletableFuture<List<Result>>> send;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;
    private final long quietNanos;
    private long lastQueuedNanos;
    private boolean quietCheckSet;
    /**
     * Replies are handled here, never on the thread that completed them: Ratis completes replies
     * while holding its client lock, which a send under our lock also needs. The quiet checks run
     * here too.
     */
    private final ScheduledExecutorService replies = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pickbox-proposal-replies");
        t.setDaemon(true);
        return t;
    });

    Batcher(Function<Message, CompletableFuture<List<Result>>> send) {
        this(send, QUIET_MILLIS);
    }

    /** {@code quietMillis}: how long no op arrives before the queue counts as a burst's tail. */
    Batcher(Function<Message, CompletableFuture<List<Result>>> send, long quietMillis) {
        this.send = send;
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
    }

    CompletableFuture<Result> submit(Op op, ByteBuffer data) {
        if (op instanceof Op.Chunk) return send.apply(Proposal.message(op, data)).thenApplyAsync(r -> r.get(0), replies);
        CompletableFuture<Result> result = new CompletableFuture<>();
        synchronized (this) {
            queue.add(new Pending(op, data, result));
            lastQueuedNanos = System.nanoTime();
            sendWhatFits();
        }
        return result;
    }

    /** Under the lock, so entries are handed to Ratis in queue order. */
    private void sendWhatFits() {
        while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) sendBatch();
        if (!queue.isEmpty()) checkWhenQuiet(quietNanos);
    }

    /** Under the lock: sets the one check that sends the queue once no op has come for a while. */
    private void checkWhenQuiet(long inNanos) {
        if (quietCheckSet) return;
        try {
            replies.schedule(this::sendIfQuiet, inNanos, TimeUnit.NANOSECONDS);
            quietCheckSet = true;
        } catch (RejectedExecutionException closed) {
            // Closing: nothing more is sent.
        }
    }

    private synchronized void sendIfQuiet() {
        quietCheckSet = false;
        if (queue.isEmpty()) return;
        long quietFor = System.nanoTime() - lastQueuedNanos;
        if (quietFor < quietNanos) {
            checkWhenQuiet(quietNanos - quietFor);
            return;
        }
        // Beyond the cap, completions send the rest.
        while (inFlight < MAX_IN_FLIGHT_AFTER_QUIET && !queue.isEmpty()) sendBatch();
    }

    /** Under the lock: sends the ops at the head of the queue as one entry. */
    private void sendBatch() {
        List<Pending> batch = new ArrayList<>();
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < MAX_OPS
                && (batch.isEmpty() || bytes + queue.peek().bytes() <= MAX_BYTES)) {
            Pending p = queue.poll();
            bytes += p.bytes();
            batch.add(p);
        }
        inFlight++;
        CompletableFuture<List<Result>> sent;
        try {
            sent = send.apply(message(batch));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenCompleteAsync((results, error) -> {
            // The next entry leaves before this one's results are handed out: what a result
            // sets off (the local table's writes for a hundred renames) must not hold it back.
            synchronized (this) {
                inFlight--;
                sendWhatFits();
            }
            complete(batch, results, error);
        }, replies);
    }

    private static Message message(List<Pending> batch) {
        if (batch.size() == 1) return Proposal.message(batch.get(0).op(), batch.get(0).data());
        List<Op> ops = new ArrayList<>(batch.size());
        List<ByteBuffer> data = new ArrayList<>();
        for (Pending p : batch) {
            ops.add(p.op());
            if (p.data() != null) data.add(p.data());
        }
        return Proposal.batch(ops, data);
    }

    private static void complete(List<Pending> batch, List<Result> results, Throwable error) {
        if (error == null && (results == null || results.size() != batch.size())) {
            error = new IllegalStateException("expected " + batch.size() + " results, got " + (results == null ? 0 : results.size()));
        }
        for (int i = 0; i < batch.size(); i++) {
            if (error != null) batch.get(i).result().completeExceptionally(error);
            else batch.get(i).result().complete(results.get(i));
        }
    }

    @Override
    public void close() {
        replies.shutdown();
    }
}
