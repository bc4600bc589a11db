package io.pickbox.sync;

import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.HistoryStatus;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.RestoreReport;
import io.pickbox.index.Result;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Restores and history settings asked for by a person (CLI, API, dashboard): checks the request
 * against the committed history, so that a bad one gets a clear error and changes nothing, and
 * commits it as ops of this node. A restore of a large tree takes several ops, each going on where
 * the last stopped; the report adds them up.
 */
public final class HistoryActions {

    private final Index index;
    private final ClusterWriter writer;

    HistoryActions(Index index, ClusterWriter writer) {
        this.index = index;
        this.writer = writer;
    }

    /**
     * Makes version {@code version} of {@code path} current again, at {@code to} (null: at {@code path}).
     *
     * @throws IllegalArgumentException for a path outside the folder or a version the history does not hold
     */
    public CompletableFuture<RestoreReport> restoreVersion(String path, long version, String to) {
        String p = canonical(path);
        String target = to == null ? null : canonical(to);
        if (p.isEmpty()) throw new IllegalArgumentException("name a file or directory to restore");
        HistoryVersion v = index.version(p, version);
        if (v == null) throw new IllegalArgumentException("no version " + version + " of " + p + " is kept (see: pickbox history " + p + ")");
        return run(new Op.Restore(origin(), p, version, 0, target, index.versionClock(), null), RestoreReport.NONE);
    }

    /**
     * Brings the tree at {@code path} ("" for the whole folder) back to what it was at {@code atMillis}.
     *
     * @throws IllegalArgumentException for a path outside the folder, or a time the history does not reach back to
     */
    public CompletableFuture<RestoreReport> restoreTree(String path, long atMillis) {
        String p = canonical(path);
        HistoryStatus status = index.historyStatus();
        if (atMillis <= 0) throw new IllegalArgumentException("a restore needs a time");
        if (atMillis < status.restorableSince()) {
            throw new IllegalArgumentException("the history reaches back to " + Instant.ofEpochMilli(status.restorableSince())
                    + " only; " + Instant.ofEpochMilli(atMillis) + " is before it");
        }
        return run(new Op.Restore(origin(), p, 0, atMillis, null, index.versionClock(), null), RestoreReport.NONE);
    }

    /** Sets how long versions are kept ({@code days}, -1: unchanged) and within how many bytes ({@code maxBytes}, -1: unchanged, 0: relative to the folder). */
    public CompletableFuture<Result> configure(int days, long maxBytes) {
        if (days < -1 || maxBytes < -1) throw new IllegalArgumentException("days and bytes cannot be negative");
        return writer.submitOp(new Op.History(origin(), days, maxBytes, 0));
    }

    /** Drops every version replaced before {@code beforeMillis}; completes once apply has dropped them all. */
    public CompletableFuture<HistoryStatus> purge(long beforeMillis) {
        if (beforeMillis <= 0) throw new IllegalArgumentException("a purge needs a time");
        return writer.submitOp(new Op.History(origin(), -1, -1, beforeMillis)).thenCompose(r -> sweep());
    }

    /** Commits ticks until apply has nothing left to expire or thin now (it does a bounded amount per entry). */
    public CompletableFuture<HistoryStatus> tick() {
        return sweep();
    }

    /** Ticks until the history holds nothing apply still has to expire (a purge is swept a bounded amount per entry). */
    private CompletableFuture<HistoryStatus> sweep() {
        return writer.submitOp(Op.History.tick(origin())).thenCompose(r ->
                r.detail() != null && r.detail().startsWith("more") ? sweep() : CompletableFuture.completedFuture(index.historyStatus()));
    }

    private CompletableFuture<RestoreReport> run(Op.Restore op, RestoreReport sofar) {
        return writer.submitOp(op).thenCompose(r -> {
            if (r.status() == Result.Status.REJECTED) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(r.detail()));
            }
            RestoreReport part = RestoreReport.fromDetail(r.detail());
            if (part == null) return CompletableFuture.completedFuture(sofar);
            RestoreReport total = sofar.plus(part);
            return part.next() == null ? CompletableFuture.completedFuture(total) : run(op.continuingAfter(part.next()), total);
        });
    }

    private static String canonical(String path) {
        if (path == null || path.isEmpty() || path.equals("/") || path.equals(".")) return "";
        try {
            return PathValidator.normalize(path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private Op.Origin origin() {
        return writer.origin();
    }

    /** The committed entry a restore would replace, for callers that show it first. */
    public Entry current(String path) {
        return index.get(canonical(path));
    }
}
