package io.pickbox.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A job that asks to be retried later than a dirty path's bound is retried that late, not sooner. */
class PathSchedulerRetryTest {

    private static final long MAX_DELAY = 100;
    private final List<Long> runs = new CopyOnWriteArrayList<>();
    private final PathScheduler scheduler = new PathScheduler(MAX_DELAY, p -> false, p -> 0L, this::job, new PathProblems());

    private CompletableFuture<Long> job(String path) {
        runs.add(System.nanoTime());
        return CompletableFuture.completedFuture(runs.size() < 3 ? 1000L : null);
    }

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void aBackOffLongerThanTheBoundIsKept() {
        scheduler.start();
        scheduler.touchAll(List.of("big.bin"));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.size() == 3);
        assertThat(runs.get(1) - runs.get(0)).as("first retry").isGreaterThanOrEqualTo(900_000_000L);
        assertThat(runs.get(2) - runs.get(1)).as("second retry").isGreaterThanOrEqualTo(900_000_000L);
    }

    @Test
    void anEventDuringABackOffBringsTheLookForward() {
        scheduler.start();
        scheduler.touchAll(List.of("big.bin"));
        // Once the first look is done and its retry is due (a retry asked for wins over events during the look).
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 1 && scheduler.waiting() == 1);
        scheduler.touchSoon("big.bin", 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 2);
        assertThat(runs.get(1) - runs.get(0)).isLessThan(900_000_000L);
    }
}
