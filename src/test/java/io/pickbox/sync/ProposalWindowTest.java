package io.pickbox.sync;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ProposalWindowTest {

    /** Runs {@code r} on a new thread, started. */
    private static Thread thread(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void acquire(ProposalWindow w, long size) {
        try {
            w.acquire(size);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aChangeFindingRoomGoesAtOnce() throws Exception {
        ProposalWindow w = new ProposalWindow(2, 100);
        w.acquire(40);
        w.acquire(60);
        assertThat(w.count()).isEqualTo(2);
        assertThat(w.bytes()).isEqualTo(100);
        w.release(40);
        w.release(60);
        assertThat(w.count()).isZero();
        assertThat(w.bytes()).isZero();
    }

    @Test
    void theCountIsNeverExceededAndEveryWaiterGoesInTheEnd() throws Exception {
        ProposalWindow w = new ProposalWindow(3, 1 << 20);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            threads.add(thread(() -> {
                for (int j = 0; j < 200; j++) {
                    acquire(w, 10);
                    mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                    Thread.yield();
                    held.decrementAndGet();
                    w.release(10);
                }
                done.incrementAndGet();
            }));
        }
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(done).hasValue(12);
        assertThat(mostHeld.get()).isBetween(1, 3);
        assertThat(w.count()).isZero();
    }

    @Test
    void aChangeWaitsForBytesToBeReleased() throws Exception {
        ProposalWindow w = new ProposalWindow(100, 100);
        w.acquire(60);
        CountDownLatch in = new CountDownLatch(1);
        thread(() -> {
            acquire(w, 60);
            in.countDown();
        });
        assertThat(in.await(200, TimeUnit.MILLISECONDS)).as("60 + 60 bytes exceed the bound").isFalse();
        w.release(60);
        assertThat(in.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(w.bytes()).isEqualTo(60);
    }

    @Test
    void aChangeLargerThanTheBoundGoesAloneRatherThanNever() throws Exception {
        ProposalWindow w = new ProposalWindow(100, 100);
        w.acquire(10);
        CountDownLatch in = new CountDownLatch(1);
        thread(() -> {
            acquire(w, 500);
            in.countDown();
        });
        assertThat(in.await(200, TimeUnit.MILLISECONDS)).isFalse();
        w.release(10);
        assertThat(in.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(w.count()).isEqualTo(1);
    }

    @Test
    void waitingForRoomTakesNone() throws Exception {
        ProposalWindow w = new ProposalWindow(1, 100);
        w.awaitRoom(50);
        assertThat(w.count()).isZero();
        w.acquire(50);
        CountDownLatch roomSeen = new CountDownLatch(1);
        thread(() -> {
            try {
                w.awaitRoom(50);
                roomSeen.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(roomSeen.await(200, TimeUnit.MILLISECONDS)).isFalse();
        w.release(50);
        assertThat(roomSeen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(w.count()).isZero();
    }
}
