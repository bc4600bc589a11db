package io.pickbox.watch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pairs IN_MOVED_FROM with IN_MOVED_TO by cookie. The kernel queues both halves of a rename
 * back to back, but they can land in different read() batches, so an unpaired MOVED_FROM is only
 * declared "moved out of the root" after a short grace period AND once the queue has been drained.
 * Not thread-safe: confined to the watcher thread.
 */
final class MoveMatcher {
    record Pending(String rel, boolean isDir, long deadlineNanos) {}

    private final long graceNanos;
    // Insertion order = deadline order, because every entry gets the same grace period.
    private final Map<Integer, Pending> byCookie = new LinkedHashMap<>();

    MoveMatcher(long graceMillis) {
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
    }

    void movedFrom(int cookie, String rel, boolean isDir, long nowNanos) {
        byCookie.put(cookie, new Pending(rel, isDir, nowNanos + graceNanos));
    }

    /** The MOVED_FROM half for cookie, or null when the source was outside the root (or ignored). */
    Pending movedTo(int cookie) {
        return byCookie.remove(cookie);
    }

    boolean isEmpty() {
        return byCookie.isEmpty();
    }

    /** Poll timeout until the earliest deadline: -1 = none pending (block), 0 = already due. */
    int millisUntilNextDeadline(long nowNanos) {
        if (byCookie.isEmpty()) {
            return -1;
        }
        long next = byCookie.values().iterator().next().deadlineNanos();
        long remaining = next - nowNanos;
        if (remaining <= 0) {
            return 0;
        }
        // Round up so we never wake just before the deadline and spin once more.
        return (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
    }

    List<Pending> takeExpired(long nowNanos) {
        List<Pending> expired = new ArrayList<>();
        for (Iterator<Pending> it = byCookie.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.deadlineNanos() - nowNanos > 0) {
                break;
            }
            expired.add(p);
            it.remove();
        }
        return expired;
    }
}
