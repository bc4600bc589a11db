package io.pickbox.node;

import io.pickbox.admin.PathExplainer;
import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.sync.LocalTable;
import io.pickbox.sync.SyncEngine;

import java.nio.file.Path;

/**
 * Why a path is or is not in sync on this node, read from the three trees (the index, this
 * node's local table, its disk) and from what the sync engine holds back.
 */
final class SyncStateExplainer implements PathExplainer {

    private final Path folder;
    private final Index index;
    private final SyncEngine sync;
    private final LocalTable table;

    SyncStateExplainer(Path folder, Index index, SyncEngine sync, LocalTable table) {
        this.folder = folder;
        this.index = index;
        this.sync = sync;
        this.table = table;
    }

    @Override
    public Explanation explain(String path) {
        Entry e = index.get(path);
        var blocked = sync.blocked().get(path);
        var problem = sync.problems().get(path);
        var local = table.get(path);
        FileStat disk;
        try {
            disk = FileStat.of(folder.resolve(path));
        } catch (RuntimeException ex) {
            disk = null;
        }
        String state;
        String why = null;
        if (blocked != null) {
            state = "blocked";
            why = "the cluster refused this node's change: " + blocked.reason() + " (it is retried when the file changes again)";
        } else if (problem != null) {
            state = "pending";
            why = problem;
        } else if (e == null) {
            state = "pending";
            why = disk == null ? "not on this node's disk and not committed"
                    : "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)";
        } else if (local == null || local.version() != e.version()) {
            state = "pending";
            why = local == null ? "committed version " + e.version() + " not yet written to this node's folder"
                    : "this node's folder has version " + local.version() + ", committed is " + e.version() + " (being materialized)";
        } else if (e.isFile() && (disk == null || local.stat() == null || !disk.sameAs(local.stat()))) {
            state = "pending";
            why = disk == null ? "deleted on this node's disk; the delete is being proposed"
                    : "changed on this node's disk; the local edit is being proposed";
        } else {
            state = "in sync";
        }
        return new Explanation(state, why, local == null ? null : local.version(), disk != null);
    }
}
