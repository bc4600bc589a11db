package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.sync.LocalTable.Local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why a path is, or is not, in step on this node: what {@code pickbox why} shows.
 *
 * @param state        "in sync", "pending" or "blocked"
 * @param why          the reason when not in sync, else null
 * @param localVersion the version this node last synced, null when none
 * @param onDisk       whether the path exists in this node's folder
 */
public record PathReport(String state, String why, Long localVersion, boolean onDisk) {

    public static final String IN_SYNC = "in sync", PENDING = "pending", BLOCKED = "blocked";

    /**
     * The report from what this node knows of the path.
     *
     * @param blocked   set when the cluster refused this node's change
     * @param problem   what keeps the path from being synced, when something does
     * @param committed its index entry, null when not committed
     * @param local     its local-table row, null when none
     * @param disk      its stat in the folder, null when absent
     */
    static PathReport of(SyncEngine.Blocked blocked, String problem, Entry committed, Local local, FileStat disk) {
        return of(blocked, problem, false, committed, local, disk);
    }

    /** As {@link #of(SyncEngine.Blocked, String, Entry, Local, FileStat)}; {@code waiting}: the problem is this node's folder in the way (a symlink). */
    static PathReport of(SyncEngine.Blocked blocked, String problem, boolean waiting, Entry committed, Local local, FileStat disk) {
        String state = PENDING;
        String why;
        if (blocked != null) {
            state = BLOCKED;
            why = "the cluster refused this node's change: " + blocked.reason() + " (it is retried when the file changes again)";
        } else if (problem != null) {
            if (waiting) state = BLOCKED;
            why = problem;
        } else if (committed == null) {
            why = disk == null ? "not on this node's disk and not committed"
                    : "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)";
        } else if (local == null || local.version() != committed.version()) {
            why = local == null ? "committed version " + committed.version() + " not yet written to this node's folder"
                    : "this node's folder has version " + local.version() + ", committed is " + committed.version() + " (being materialized)";
        } else if (committed.isFile() && (disk == null || local.stat() == null || !disk.sameAs(local.stat()))) {
            why = disk == null ? "deleted on this node's disk; the delete is being proposed"
                    : "changed on this node's disk; the local edit is being proposed";
        } else {
            state = IN_SYNC;
            why = null;
        }
        return new PathReport(state, why, local == null ? null : local.version(), disk != null);
    }

    /** As the admin API shows it: {@code why} only when there is a reason, {@code localVersion} always (null: none). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        if (why != null) m.put("why", why);
        m.put("localVersion", localVersion);
        m.put("onDisk", onDisk);
        return m;
    }
}
