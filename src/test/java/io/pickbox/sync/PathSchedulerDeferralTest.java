package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Paths that fall due while a directory above them has a job in flight wait for that job, and only
 * for it: jobs elsewhere finishing meanwhile do not make the scheduler look at all of them again
 * (a joining node defers thousands of files under a directory being made).
 */
class PathSchedulerDeferralTest {

    private static final int UNDER = 20_000;
    private static final int ELSEWHERE = 2_000;

    private final Map<String, Integer> runs = new ConcurrentHashMap<>();
    private final CompletableFuture<Long> directoryJob = new CompletableFuture<>();
    private final CountDownLatch directoryStarted = new CountDownLatch(1);
    private final PathScheduler scheduler = new PathScheduler(60_000, p -> false, p -> 0L, this::job, new PathProblems());

    private CompletableFuture<Long> job(String path) {
        runs.merge(path, 1, Integer::sum);
        if (path.equals("d")) {
            directoryStarted.countDown();
            return directoryJob;
        }
        if (path.startsWith("e/")) pause(); // jobs finish one by one over time, as writes do
        return CompletableFuture.completedFuture(null);
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void pathsUnderABusyDirectoryWaitForItAloneAndRunOnceItIsDone() throws Exception {
        scheduler.start();
        scheduler.touchAll(List.of("d"));
        assertThat(directoryStarted.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> under = paths("d/f", UNDER);
        List<String> elsewhere = paths("e/f", ELSEWHERE);
        scheduler.touchAll(under);
        scheduler.touchAll(elsewhere);

        awaitRun(elsewhere::contains, ELSEWHERE, 60);
        assertThat(runs.keySet()).noneMatch(p -> p.startsWith("d/"));
        // each job elsewhere used to send every deferred path round the timers again, to be deferred once more
        assertThat(onLoop(scheduler::deferrals)).as("deferrals").isEqualTo(UNDER);

        directoryJob.complete(null);
        awaitRun(p -> p.startsWith("d/"), UNDER, 20);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(runs).allSatisfy((path, n) -> assertThat(n).as(path).isEqualTo(1));
            assertThat(runs).hasSize(1 + UNDER + ELSEWHERE);
        });
    }

    /** A value read on the scheduler's loop thread. */
    private <T> T onLoop(java.util.function.Supplier<T> read) throws Exception {
        CompletableFuture<T> value = new CompletableFuture<>();
        scheduler.post(() -> value.complete(read.get()));
        return value.get(10, TimeUnit.SECONDS);
    }

    private static List<String> paths(String prefix, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }

    private void awaitRun(Predicate<String> which, int count, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (runs.keySet().stream().filter(which).count() < count) {
            assertThat(System.nanoTime()).as("all %d jobs ran within %d s", count, seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
