package io.pickbox.node;

import io.pickbox.index.HistoryStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Keeps history retention going while the cluster is quiet. Apply expires and thins old versions
 * as entries commit, by their committed time; when nothing has committed for a while, the leader
 * commits a tick (an empty history op) so that versions still expire on a folder nobody edits.
 */
final class HistoryTicks implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryTicks.class);
    /** How long the cluster stays quiet before the leader ticks. */
    static final long QUIET_MILLIS = 10 * 60_000L;

    private final BooleanSupplier leads;
    private final Supplier<HistoryStatus> status;
    private final Supplier<CompletableFuture<?>> tick;
    private final LongSupplier wallClock;
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

    HistoryTicks(BooleanSupplier leads, Supplier<HistoryStatus> status, Supplier<CompletableFuture<?>> tick, LongSupplier wallClock) {
        this.leads = leads;
        this.status = status;
        this.tick = tick;
        this.wallClock = wallClock;
    }

    /** Called now and then; returns whether it ticked. */
    synchronized boolean check() {
        if (!inFlight.isDone() || !leads.getAsBoolean()) return false;
        HistoryStatus s = status.get();
        if (!s.enabled() || s.versions() == 0 || wallClock.getAsLong() - s.committedTime() < QUIET_MILLIS) return false;
        inFlight = tick.get().whenComplete((r, e) -> {
            if (e != null) LOG.debug("History tick failed: {}", e.toString());
        });
        return true;
    }

    @Override
    public void run() {
        check();
    }
}
