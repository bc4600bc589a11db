package io.pickbox.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.HistoryStatus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class HistoryTicksTest {

    private final AtomicBoolean leads = new AtomicBoolean(true);
    private final AtomicReference<HistoryStatus> status = new AtomicReference<>(new HistoryStatus(30, 0, 1 << 30, 100, 3, 0, 1_000));
    private final AtomicLong wall = new AtomicLong(1_000 + HistoryTicks.QUIET_MILLIS);
    private final AtomicInteger ticks = new AtomicInteger();
    private CompletableFuture<Object> pending = new CompletableFuture<>();
    private final HistoryTicks history = new HistoryTicks(leads::get, status::get, () -> {
        ticks.incrementAndGet();
        return pending;
    }, wall::get);

    @Test
    void theLeaderTicksOnceTheClusterWasQuietAndOneTickAtATime() {
        assertThat(history.check()).isTrue();
        assertThat(history.check()).isFalse(); // the first is still going
        pending.complete(null);
        assertThat(history.check()).isTrue();
        assertThat(ticks.get()).isEqualTo(2);
    }

    @Test
    void nothingTicksOnAFollowerOnABusyClusterOrWithNothingKept() {
        leads.set(false);
        assertThat(history.check()).isFalse();
        leads.set(true);
        wall.set(1_000 + HistoryTicks.QUIET_MILLIS - 1);
        assertThat(history.check()).isFalse();
        wall.set(1_000 + HistoryTicks.QUIET_MILLIS);
        status.set(new HistoryStatus(30, 0, 1 << 30, 0, 0, 0, 1_000));
        assertThat(history.check()).isFalse();
        status.set(new HistoryStatus(0, 0, 1 << 30, 100, 3, 0, 1_000));
        assertThat(history.check()).isFalse();
        assertThat(ticks.get()).isZero();
    }
}
