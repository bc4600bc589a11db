package io.pickbox.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The life of the one daemon thread a watcher reads its events on, the same for every watcher: it
 * starts once, stops once (possibly asked from a listener callback on that very thread), and
 * rescans found necessary before it exists wait for it, because listener calls belong on it.
 */
final class WatcherThread {
    private static final long JOIN_MILLIS = 5_000;

    private final String name;
    private final ChangeListener listener;
    private final Logger log;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<String> rescansFromStart = new ArrayList<>();
    private boolean running;
    private Thread thread;

    /** {@code log} is the watcher's own, so its lines say which watcher wrote them. */
    WatcherThread(String name, ChangeListener listener, Logger log) {
        this.name = name;
        this.listener = listener;
        this.log = log;
    }

    /** Throws unless this watcher is neither closed nor started yet. */
    synchronized void checkStartable() {
        if (closed.get()) {
            throw new IllegalStateException("watcher is closed");
        }
        if (thread != null) {
            throw new IllegalStateException("watcher already started");
        }
    }

    synchronized void start(Runnable loop) {
        thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The first thing the loop does on the thread: hands over the rescans that waited for it. */
    void begin() {
        running = true;
        rescansFromStart.forEach(listener::rescan);
        rescansFromStart.clear();
    }

    /** Asks for a rescan now on the thread, or as soon as the thread runs when it does not yet. */
    void rescan(String relDir) {
        if (running) {
            listener.rescan(relDir);
        } else {
            rescansFromStart.add(relDir);
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /** True for the one call that closes; every later call gets false. */
    boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    /** The thread, or null before start(). */
    synchronized Thread thread() {
        return thread;
    }

    /** Waits a while for the thread to end once woken; never for itself (close from a callback). */
    void awaitEnd(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("{} did not stop within {} ms (listener blocked?)", name, JOIN_MILLIS);
        }
    }
}
