package io.pickbox.watch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Directories found gone when their create was read: renamed meanwhile, the rename's events
 * queued behind (or about to be: the kernel queues them just after the rename is visible), or
 * deleted. Remembered for half a minute (a long backlog of events may lie between the two), so
 * that the rename, when it is read, can have the directory watched under its new name. Not
 * thread-safe: confined to the watcher thread.
 */
final class GoneBeforeWatched {
    static final long REMEMBER_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Past this many, one more is not remembered: its rename is caught by the verify scan instead. */
    static final int MAX = 10_000;

    /** Insertion order is age order: every entry is remembered for as long. */
    private final Map<String, Long> since = new LinkedHashMap<>();

    void add(String relDir, long nowNanos) {
        forgetOld(nowNanos);
        if (since.size() < MAX) {
            since.remove(relDir);
            since.put(relDir, nowNanos);
        }
    }

    /** The remembered directories at or below {@code from}, rebased onto {@code to}; forgotten here. */
    List<String> movedTo(String from, String to, long nowNanos) {
        forgetOld(nowNanos);
        if (since.isEmpty()) {
            return List.of();
        }
        List<String> moved = new ArrayList<>();
        for (Iterator<String> it = since.keySet().iterator(); it.hasNext(); ) {
            String gone = it.next();
            if (RelPaths.isSelfOrBelow(gone, from)) {
                moved.add(RelPaths.rebase(gone, from, to));
                it.remove();
            }
        }
        return moved;
    }

    int size() {
        return since.size();
    }

    private void forgetOld(long nowNanos) {
        for (Iterator<Long> it = since.values().iterator(); it.hasNext(); ) {
            if (nowNanos - it.next() <= REMEMBER_NANOS) {
                return;
            }
            it.remove();
        }
    }
}
