package io.pickbox.watch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Records into {@code rec}, but holds the watcher's thread in the first report of a path that
 * {@code holdOn} accepts until {@link #release()}: the kernel queues what happens meanwhile, as it
 * does for a paused or busy node.
 */
final class HoldingListener implements ChangeListener {
    private final RecordingListener rec;
    private final Predicate<String> holdOn;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    HoldingListener(RecordingListener rec, Predicate<String> holdOn) {
        this.rec = rec;
        this.holdOn = holdOn;
    }

    /** Whether the watcher's thread is held (waits for it up to {@code timeout}). */
    boolean awaitHeld(Duration timeout) throws InterruptedException {
        return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void release() {
        released.countDown();
    }

    @Override
    public void changed(String relPath, boolean writerDone) {
        if (released.getCount() > 0 && holdOn.test(relPath)) {
            held.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        rec.changed(relPath, writerDone);
    }

    @Override
    public void moved(String from, String to) {
        rec.moved(from, to);
    }

    @Override
    public void rescan(String relDir) {
        rec.rescan(relDir);
    }
}
