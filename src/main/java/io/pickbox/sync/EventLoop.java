package io.pickbox.sync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that runs tasks posted from any thread, in order, and timers set on it when they are
 * due. It is woken only when it sleeps: a burst of file events costs one wake-up per batch, not one
 * per event, and every timer due at a wake-up runs in it. (A scheduled executor locks and signals
 * for every task, which cost more than the tasks themselves in a burst.)
 */
final class EventLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    private record Timer(long dueNanos, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Owned by the loop thread. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile boolean running = true;

    EventLoop(String threadName) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on the loop thread after every task posted before it; dropped once closed. */
    void post(Runnable task) {
        if (!running) return;
        inbox.add(task);
        if (sleeping) LockSupport.unpark(thread);
    }

    /** Runs {@code task} on the loop thread in {@code delayMillis} or later. Called on the loop thread only. */
    void schedule(Runnable task, long delayMillis) {
        assert Thread.currentThread() == thread : "timers are set on the loop thread";
        timers.add(new Timer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis)), timerSeq++, task));
    }

    private void run() {
        while (running) {
            for (Runnable r; (r = inbox.poll()) != null; ) runSafely(r);
            long now = System.nanoTime();
            while (!timers.isEmpty() && timers.peek().dueNanos() - now <= 0) runSafely(timers.poll().task());
            if (!inbox.isEmpty()) continue;
            long wait = timers.isEmpty() ? 0 : timers.peek().dueNanos() - System.nanoTime();
            if (!timers.isEmpty() && wait <= 0) continue;
            sleeping = true;
            // A post that saw sleeping == false has its task in the inbox by now: look before parking.
            if (inbox.isEmpty() && running) {
                if (timers.isEmpty()) LockSupport.park(this);
                else LockSupport.parkNanos(this, wait);
            }
            sleeping = false;
        }
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("A sync task failed", e);
        }
    }

    /** Stops the thread; tasks not run yet are dropped. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
