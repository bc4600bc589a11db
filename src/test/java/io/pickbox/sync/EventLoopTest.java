package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    private final EventLoop loop = new EventLoop("test-loop");

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void tasksPostedFromManyThreadsAllRunOnTheLoopThreadEachThreadsInOrder() throws InterruptedException {
        int threads = 4, perThread = 20_000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) seen.add(new ArrayList<>()); // touched by the loop thread only
        List<String> threadNames = new CopyOnWriteArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        List<Thread> posters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            posters.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.post(() -> {
                        seen.get(id).add(n);
                        if (ran.incrementAndGet() % 10_000 == 0) threadNames.add(Thread.currentThread().getName());
                    });
                }
            }));
        }
        posters.forEach(Thread::start);
        for (Thread p : posters) p.join();
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.get() == threads * perThread);
        CountDownLatch read = new CountDownLatch(1);
        List<List<Integer>> copy = new ArrayList<>();
        loop.post(() -> {
            seen.forEach(l -> copy.add(List.copyOf(l)));
            read.countDown();
        });
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
        for (List<Integer> l : copy) {
            assertThat(l).hasSize(perThread).isSorted();
        }
        assertThat(threadNames).containsOnly("test-loop");
    }

    @Test
    void timersRunInTheOrderTheyFallDueNotTheOrderTheyWereSet() {
        List<String> order = new CopyOnWriteArrayList<>();
        loop.post(() -> {
            loop.schedule(() -> order.add("300 ms"), 300);
            loop.schedule(() -> order.add("0 ms"), 0);
            loop.schedule(() -> order.add("100 ms"), 100);
            loop.schedule(() -> order.add("100 ms, set later"), 100);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 4);
        assertThat(order).containsExactly("0 ms", "100 ms", "100 ms, set later", "300 ms");
    }

    @Test
    void aTimerDoesNotRunBeforeItsTime() {
        long[] ranAfterNanos = {-1};
        CountDownLatch done = new CountDownLatch(1);
        loop.post(() -> {
            long set = System.nanoTime();
            loop.schedule(() -> {
                ranAfterNanos[0] = System.nanoTime() - set;
                done.countDown();
            }, 200);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> done.getCount() == 0);
        assertThat(ranAfterNanos[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void aPostWakesTheLoopWhileItSleepsTowardsAFarTimer() {
        AtomicInteger ran = new AtomicInteger();
        loop.post(() -> loop.schedule(ran::incrementAndGet, 60_000));
        // Let it fall asleep waiting for the timer, then post: it must run long before the timer.
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> true);
        loop.post(ran::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 1);
    }

    @Test
    void aFailingTaskDoesNotStopTheLoop() {
        AtomicInteger ran = new AtomicInteger();
        loop.post(() -> {
            throw new IllegalStateException("boom");
        });
        loop.post(() -> loop.schedule(() -> {
            throw new IllegalStateException("boom from a timer");
        }, 0));
        loop.post(() -> loop.schedule(ran::incrementAndGet, 10));
        loop.post(ran::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 2);
    }

    @Test
    void nothingRunsOnceClosed() {
        CountDownLatch first = new CountDownLatch(1);
        loop.post(first::countDown);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.getCount() == 0);
        loop.close();
        AtomicInteger ran = new AtomicInteger();
        loop.post(ran::incrementAndGet);
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(ran.get()).isZero();
    }
}
