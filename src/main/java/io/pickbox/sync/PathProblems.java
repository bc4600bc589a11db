package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.sync.SyncEngine.Blocked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The paths this node cannot bring in step right now, and why: blocked ones (the cluster refused
 * their change) and ones with a problem (an error, a held deletion, the cluster out of reach).
 * Status and {@code why} read them; any thread may.
 *
 * <p>Each list is bounded: a whole tree can be refused or unreachable at once (a copy of a million
 * files while the cluster has no quorum), and what is kept here must not grow with it. Beyond the
 * bound the oldest entries are forgotten, which costs a retry, never a wrong decision: a forgotten
 * block lets its path be proposed again (and refused again) the next time it is looked at, a
 * forgotten problem is found again if it is still there, a forgotten symlink is logged again.
 */
final class PathProblems {

    private static final Logger LOG = LoggerFactory.getLogger(PathProblems.class);

    /**
     * Paths kept in each list. Far more than anyone reads in a status report, yet a few MB at
     * most (a path and a reason each); past it a node has one cause to fix, not 10,000 paths to read.
     */
    static final int MAX_PATHS = 10_000;

    private final Map<String, Blocked> blocked = bounded("blocked paths");
    private final Map<String, String> problems = bounded("paths with a problem");
    private final Map<String, Boolean> reportedUnreplicated = bounded("symlinks and special files reported");
    /** Paths waiting for disk space or for permission: a problem that lasts over many looks at the path. */
    private final PathWaits waits = new PathWaits();

    PathWaits waits() {
        return waits;
    }
    /** The paths with a problem that are blocked by this node's folder (a symlink in their way), not by an error. */
    private final Map<String, Boolean> waiting = bounded("paths waiting for a directory");
    private final Map<String, String> reportedWaits = bounded("waits reported");

    /** Blocks {@code path} until its stat moves away from {@code stat} (null: absent). */
    void block(String path, String reason, FileStat stat) {
        synchronized (blocked) {
            blocked.put(path, new Blocked(reason, stat));
        }
    }

    Blocked blockedAt(String path) {
        synchronized (blocked) {
            return blocked.get(path);
        }
    }

    void report(String path, String problem) {
        synchronized (problems) {
            problems.put(path, problem);
            waiting.remove(path);
        }
    }

    /**
     * Records that {@code path} waits for its folder to change (a symlink in its way) for
     * {@code reason}; true the first time (a wait outlives {@link #clear}, which every look at the
     * path does), or when the reason changed, so that it is logged once.
     */
    boolean waitFor(String path, String reason) {
        synchronized (problems) {
            waiting.put(path, Boolean.TRUE);
            problems.put(path, reason);
        }
        synchronized (reportedWaits) {
            return !reason.equals(reportedWaits.put(path, reason));
        }
    }

    /** Whether {@code path}'s problem is that it waits for its folder to change (see {@link #waitFor}). */
    boolean waitingAt(String path) {
        synchronized (problems) {
            return waiting.containsKey(path);
        }
    }

    /** What keeps {@code path} from being synced: an error met, or what it waits for; null if nothing. */
    String problemAt(String path) {
        String waiting = waits.reasonAt(path);
        if (waiting != null) return waiting;
        synchronized (problems) {
            return problems.get(path);
        }
    }

    /**
     * Forgets both the block and the problem of {@code path}: it is looked at afresh. What it waits
     * for stays shown until a look finds it no longer waits.
     */
    void clear(String path) {
        synchronized (blocked) {
            blocked.remove(path);
        }
        synchronized (problems) {
            problems.remove(path);
            waiting.remove(path);
        }
    }

    /** True the first time a symlink (or a fifo, socket or device) is seen at {@code path}, so that it is logged once. */
    boolean firstSightOfUnreplicated(String path) {
        synchronized (reportedUnreplicated) {
            return reportedUnreplicated.put(path, Boolean.TRUE) == null;
        }
    }

    /** The blocked paths, oldest first; at most {@link #MAX_PATHS}. */
    Map<String, Blocked> blocked() {
        synchronized (blocked) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(blocked));
        }
    }

    /** The paths with a problem, oldest first, then those waiting; at most {@link #MAX_PATHS} of each. */
    Map<String, String> problems() {
        Map<String, String> out;
        synchronized (problems) {
            out = new LinkedHashMap<>(problems);
        }
        out.putAll(waits.reasons());
        return Collections.unmodifiableMap(out);
    }

    /** A map in insertion order that forgets its oldest entry past {@link #MAX_PATHS}, saying so once. */
    private static <V> Map<String, V> bounded(String what) {
        return new LinkedHashMap<>() {
            private boolean told;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                if (size() <= MAX_PATHS) return false;
                if (!told) {
                    told = true;
                    LOG.warn("More than {} {}: the oldest are forgotten and looked at again when they next change", MAX_PATHS, what);
                }
                return true;
            }
        };
    }
}
