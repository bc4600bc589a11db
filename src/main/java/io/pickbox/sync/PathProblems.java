package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.sync.SyncEngine.Blocked;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paths this node cannot bring in step right now, and why: blocked ones (the cluster refused
 * their change) and ones with a problem (an error, a held deletion, the cluster out of reach).
 * Status and {@code why} read them; any thread may.
 */
final class PathProblems {

    private final Map<String, Blocked> blocked = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final Set<String> reportedSymlinks = ConcurrentHashMap.newKeySet();

    /** Blocks {@code path} until its stat moves away from {@code stat} (null: absent). */
    void block(String path, String reason, FileStat stat) {
        blocked.put(path, new Blocked(reason, stat));
    }

    Blocked blockedAt(String path) {
        return blocked.get(path);
    }

    void report(String path, String problem) {
        problems.put(path, problem);
    }

    String problemAt(String path) {
        return problems.get(path);
    }

    /** Forgets both the block and the problem of {@code path}: it is looked at afresh. */
    void clear(String path) {
        blocked.remove(path);
        problems.remove(path);
    }

    /** True the first time a symlink is seen at {@code path}, so that it is logged once. */
    boolean firstSightOfSymlink(String path) {
        return reportedSymlinks.add(path);
    }

    Map<String, Blocked> blocked() {
        return Map.copyOf(blocked);
    }

    Map<String, String> problems() {
        return Map.copyOf(problems);
    }
}
