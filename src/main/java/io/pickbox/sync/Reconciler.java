package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.PathValidator;
import io.pickbox.folder.TreeScanner;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;
import io.pickbox.sync.LocalTable.Local;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Brings one path in step, on a worker thread: reads the three trees (disk, local table, index),
 * asks {@link Reconciliation} what to do and does it, through the materializer (disk), the
 * uploader (proposals) and the local table. Each job completes with a delay after which to look at
 * the path again, or null.
 */
final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final CompletableFuture<Long> DONE = CompletableFuture.completedFuture(null);
    /** How often a path waiting for a symlink in its way to become a directory again is looked at. */
    private static final long SYMLINK_RETRY_MILLIS = 3000;
    /** How often a path under a directory removed or renamed here is looked at until that change is committed. */
    private static final long REMOVED_DIRECTORY_RETRY_MILLIS = 500;
    /** When such a directory is looked at, at the latest, in case the watcher's event for it never comes. */
    private static final long REMOVED_DIRECTORY_LOOK_MILLIS = 2000;

    /** Where the paths found inside a directory go to be looked at. */
    interface Touch {
        void soon(String path, long delayMillis);
    }

    private final Path root;
    private final Index index;
    private final LocalTable table;
    private final Uploader uploader;
    private final Materializer materializer;
    private final Reconciliation decision;
    private final PathProblems problems;
    private final BooleanSupplier holdDeletes;
    private final Predicate<String> ignored;
    private final Touch touch;
    private final DiskSpace space;
    private final PathWaits waits;
    private final OldVersionKeeper keeper;

    Reconciler(Path root, Index index, LocalTable table, Uploader uploader, Materializer materializer,
               Reconciliation decision, PathProblems problems, BooleanSupplier holdDeletes,
               Predicate<String> ignored, Touch touch, DiskSpace space, OldVersionKeeper keeper) {
        this.root = root;
        this.index = index;
        this.table = table;
        this.uploader = uploader;
        this.materializer = materializer;
        this.decision = decision;
        this.problems = problems;
        this.holdDeletes = holdDeletes;
        this.ignored = ignored;
        this.touch = touch;
        this.space = space;
        this.waits = problems.waits();
        this.keeper = keeper;
    }

    private static CompletableFuture<Long> retryIn(long millis) {
        return CompletableFuture.completedFuture(millis);
    }

    /**
     * Whether a scan that found {@code disk} at {@code path} (null: nothing there) leaves nothing to
     * do there: the three trees agree, or the path stays blocked. The same decision as
     * {@link #reconcile}, without its stat and without acting.
     */
    boolean inStep(String path, FileStat disk) {
        return inStep(path, disk, table.get(path), index.get(path));
    }

    /** As {@link #inStep(String, FileStat)}, with the path's row and entry already read. */
    boolean inStep(String path, FileStat disk, Local row, Entry entry) {
        SyncAction action = decision.decide(path, disk, row, entry, problems.blockedAt(path), holdDeletes.getAsBoolean());
        return action instanceof SyncAction.Nothing || action instanceof SyncAction.StayBlocked;
    }

    /**
     * Brings the paths that are new here up to date in one go: directories and small files that
     * are committed and were never written here (no row) are put in place as a group
     * ({@link Materializer#writeNew}), where nothing is in the folder yet. Returns the other paths,
     * and any the group left out (something is there), for {@link #reconcile} one by one.
     */
    List<String> writeNew(List<String> paths) {
        List<String> rest = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        java.util.Map<String, Boolean> removedDirectories = new java.util.HashMap<>();
        for (String p : paths) {
            Entry e = index.get(p);
            if (e == null || !Materializer.writableAsNew(e) || problems.blockedAt(p) != null || table.get(p) != null
                    || removedDirectories.computeIfAbsent(FolderDir.parentOf(p), d -> removedHere(d) != null)) {
                rest.add(p);
            } else {
                fresh.add(p);
                entries.add(e);
            }
        }
        if (fresh.isEmpty()) return rest;
        long bytes = 0;
        for (Entry e : entries) bytes += e.size();
        if (space.check(bytes) != null) {
            materializer.freeAttic();
            rest.addAll(fresh); // one by one: those that fit are written, the others wait
            return rest;
        }
        java.util.Map<String, FileStat> placed;
        try {
            placed = materializer.writeNew(fresh, entries);
        } catch (IOException e) {
            LOG.debug("Writing {} new paths as a group failed; they are written one by one: {}", fresh.size(), e.toString());
            rest.addAll(fresh);
            return rest;
        }
        java.util.Map<String, Local> rows = new java.util.LinkedHashMap<>();
        for (int i = 0; i < fresh.size(); i++) {
            String p = fresh.get(i);
            Entry e = entries.get(i);
            FileStat st = placed.get(p);
            if (st == null) rest.add(p);
            else rows.put(p, new Local(e.version(), e.isDir() ? null : e.sha256(), st));
        }
        table.putAll(rows);
        return rest;
    }

    /** Compares index, disk and local table for {@code path} and acts. */
    CompletableFuture<Long> reconcile(String path) {
        FileStat disk = FileStat.of(root, path);
        Local local = table.get(path);
        Entry idx = index.get(path);
        SyncAction action = decision.decide(path, disk, local, idx, problems.blockedAt(path), holdDeletes.getAsBoolean());
        if (action instanceof SyncAction.StayBlocked) return DONE;
        problems.clear(path);
        Acting acting = new Acting(path, local);
        CompletableFuture<Long> done;
        try {
            done = action.carryOut(acting);
        } catch (Materializer.LocalEditInTheWay e) {
            LOG.debug("{}; proposing it first", e.getMessage());
            done = retryIn(0);
        } catch (SymlinkInPathException e) {
            done = waitForDirectory(path, e);
        } catch (IOException e) {
            PathWaits.Kind kind = PathWaits.kindOf(e);
            if (kind != null) return retryIn(acting.waitFor(kind, e.getMessage(), 0));
            problems.report(path, e.getMessage());
            LOG.warn("Cannot bring {} up to date: {}", path, e.getMessage());
            done = retryIn(1000);
        }
        return done.whenComplete((delay, error) -> {
            if (!acting.waited) waits.passed(path);
        });
    }

    /** Carries out the actions decided for one path; {@code local} is its row as the decision saw it. */
    private final class Acting implements SyncAction.Handler<CompletableFuture<Long>> {
        private final String path;
        private final Local local;
        /** Set when this look at the path left it waiting (for space, for permission). */
        private volatile boolean waited;

        Acting(String path, Local local) {
            this.path = path;
            this.local = local;
        }

        /** Leaves the path waiting for {@code kind}; returns when to try it again. */
        long waitFor(PathWaits.Kind kind, String detail, long bytes) {
            waited = true;
            String reason = switch (kind) {
                case SPACE -> detail.startsWith("waiting for disk space") ? detail
                        : "waiting for disk space: the disk filled up while it was written (" + detail + ")";
                case PERMISSION -> "cannot write into the folder (" + detail + "); waiting for permission";
            };
            return waits.waiting(path, kind, reason, bytes);
        }

        @Override
        public CompletableFuture<Long> stayBlocked() {
            return DONE;
        }

        @Override
        public CompletableFuture<Long> nothing() {
            return DONE;
        }

        @Override
        public CompletableFuture<Long> retry(long afterMillis) {
            return retryIn(afterMillis);
        }

        @Override
        public CompletableFuture<Long> problem(String reason) {
            problems.report(path, reason);
            return DONE;
        }

        @Override
        public CompletableFuture<Long> notReplicated(FileStat.Kind kind) {
            if (problems.firstSightOfUnreplicated(path)) {
                LOG.info("Not replicating {} {} (symlinks, fifos, sockets and devices are skipped)",
                        kind == FileStat.Kind.SYMLINK ? "symlink" : "fifo, socket or device", path);
            }
            return DONE;
        }

        @Override
        public CompletableFuture<Long> forgetRow(SyncAction then) throws IOException {
            table.remove(path);
            return then.carryOut(this);
        }

        @Override
        public CompletableFuture<Long> recordRow(Local row, SyncAction then) throws IOException {
            table.put(path, row);
            return then.carryOut(this);
        }

        @Override
        public CompletableFuture<Long> materialize(Entry committed) throws IOException {
            return Reconciler.this.materialize(path, committed, this);
        }

        @Override
        public CompletableFuture<Long> propose(Op op, Uploader.Snapshot read) {
            if (op instanceof Op.Put || op instanceof Op.Mkdir) {
                String replaced = fileReplacedAbove(path);
                if (replaced != null) {
                    // Proposed now, it would meet the file and be kept as a conflict copy.
                    LOG.debug("Not proposing {} yet: the file {} was replaced by a directory here, and that change goes first", path, replaced);
                    touch.soon(replaced, 0);
                    return retryIn(REMOVED_DIRECTORY_RETRY_MILLIS);
                }
            }
            return Reconciler.this.propose(path, op, read == null ? null : read.inlineData(), read);
        }

        @Override
        public CompletableFuture<Long> proposeTreeDelete(Op.Delete delete) {
            long[] seen = {delete.seen()};
            table.forEach(path + "/", (p, below) -> seen[0] = Math.max(seen[0], Reconciliation.baseOf(below, index.get(p))));
            Op.Delete op = new Op.Delete(delete.origin(), delete.path(), delete.base(), seen[0]);
            return Reconciler.this.propose(path, op, null, null);
        }

        @Override
        public CompletableFuture<Long> readFile() throws IOException {
            Uploader.Snapshot read;
            // Read through its directory held open: a symlink swapped in meanwhile is not followed.
            try (FolderDir dir = FolderDir.openParent(root, path)) {
                read = uploader.read(dir.path(FolderDir.nameOf(path)), path);
            } catch (CompletionException e) {
                throw new IOException("sending chunks of " + path + " failed: " + e.getCause(), e);
            }
            return decision.afterRead(path, read, local, index.get(path)).carryOut(this);
        }

        @Override
        public CompletableFuture<Long> deleteLocalFile(FileStat ifStill, SyncAction then) throws IOException {
            // The deleted version goes into the history: its bytes are kept before the file goes.
            keeper.keep(path, local);
            String content = local != null && local.stat() != null && local.stat().sameAs(ifStill) ? local.sha256() : null;
            return materializer.deleteFile(path, st -> st.sameAs(ifStill), content).thenCompose(deleted -> {
                if (deleted) table.remove(path);
                try {
                    return then.carryOut(this);
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
        }

        @Override
        public CompletableFuture<Long> applyMeta(Entry committed) throws IOException {
            FileStat st = materializer.updateMeta(path, committed);
            table.put(path, new Local(committed.version(), committed.sha256(), st));
            return DONE;
        }

        @Override
        public CompletableFuture<Long> removeDirectory() throws IOException {
            if (materializer.deleteEmptyDirectory(path)) {
                table.remove(path);
                return DONE;
            }
            List<String> children = new ArrayList<>();
            TreeScanner.scan(root, path, ignored, (p, st) -> children.add(p));
            boolean anyTracked = children.stream().anyMatch(p -> table.get(p) != null);
            if (!anyTracked) {
                table.remove(path); // only untracked content left: it will be proposed, with its directory
                children.forEach(p -> touch.soon(p, 0));
                return retryIn(0);
            }
            children.forEach(p -> touch.soon(p, 0));
            return retryIn(100);
        }
    }

    /**
     * Writes a committed entry into the folder. A file is started only when it fits on the disk,
     * with a margin ({@link DiskSpace}): else it waits, and the others go on. A full disk or a
     * refused write met anyway (another writer took the space, a directory not writable) makes
     * the path wait the same way; the temp file is gone by then.
     */
    private CompletableFuture<Long> materialize(String path, Entry idx, Acting acting) throws IOException {
        String removed = removedHere(FolderDir.parentOf(path));
        if (removed != null) {
            LOG.debug("Not writing {} yet: {} was removed or renamed here, and that change goes first", path, removed);
            // Its own event brings it in soon; looked at anyway, should that event have been lost.
            touch.soon(removed, REMOVED_DIRECTORY_LOOK_MILLIS);
            return retryIn(REMOVED_DIRECTORY_RETRY_MILLIS);
        }
        if (idx.isDir()) {
            FileStat st = materializer.makeDirectory(path, idx);
            table.put(path, new Local(idx.version(), null, st));
            return DONE;
        }
        DiskSpace.Shortage shortage = space.check(idx.size());
        if (shortage != null) {
            materializer.freeAttic();
            return retryIn(acting.waitFor(PathWaits.Kind.SPACE, shortage.reason(), idx.size()));
        }
        Local before = table.get(path);
        // The replaced version goes into the history: its bytes are kept before the file is replaced.
        keeper.keep(path, before);
        return materializer.writeFile(path, idx, onDisk -> before != null && onDisk.sameAs(before.stat()))
                .handle((st, error) -> {
                    if (error == null) {
                        table.put(path, new Local(idx.version(), idx.sha256(), st));
                        return null;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof Materializer.LocalEditInTheWay) {
                        LOG.debug("{}; proposing it first", cause.getMessage());
                        return 0L;
                    }
                    if (cause instanceof SymlinkInPathException link) return waitForDirectory(path, link).join();
                    PathWaits.Kind kind = PathWaits.kindOf(cause);
                    if (kind != null) {
                        long bytes = kind == PathWaits.Kind.SPACE ? idx.size() : 0;
                        return acting.waitFor(kind, cause.getMessage() == null ? cause.toString() : cause.getMessage(), bytes);
                    }
                    throw new CompletionException(cause);
                });
    }

    /**
     * The nearest directory above {@code path} that the cluster has as a file while this folder
     * has a directory there (a file replaced by a directory here, its deletion not yet committed);
     * null when there is none. Most paths cost one lookup: their parent is a committed directory.
     */
    private String fileReplacedAbove(String path) {
        for (String d = FolderDir.parentOf(path); !d.isEmpty(); d = FolderDir.parentOf(d)) {
            Entry e = index.get(d);
            if (e == null) continue; // a new directory: what is above it decides
            if (e.isDir()) return null;
            FileStat st = FileStat.of(root, d);
            return st != null && st.kind() == FileStat.Kind.DIR ? d : null;
        }
        return null;
    }

    /**
     * The highest directory from {@code dir} up that this node had synced (it has a row) and that is
     * missing from the folder now, or null. The user removed or renamed it here, and that change,
     * on its way from the watcher, is proposed first: writing into it now would make the directory
     * again under its old name, and a rename proposed after that would carry this node's row for
     * the copy written there to the stale copy the user moved. Costs one stat where the directory is there.
     */
    private String removedHere(String dir) {
        String removed = null;
        for (String d = dir; !d.isEmpty() && FileStat.of(root, d) == null; d = FolderDir.parentOf(d)) {
            if (table.get(d) != null) removed = d;
        }
        return removed;
    }

    /**
     * A committed change under a directory that is a symlink on this node: nothing is written
     * through it; the path waits, blocked with the reason, and is tried again now and then, so that
     * it applies once a real directory is back.
     */
    private CompletableFuture<Long> waitForDirectory(String path, SymlinkInPathException e) {
        String reason = e.symlink() + " is a symlink on this node, and nothing is written through a symlink;"
                + " waiting for a real directory there";
        if (problems.waitFor(path, reason)) LOG.warn("Not writing {}: {}", path, reason);
        return retryIn(SYMLINK_RETRY_MILLIS);
    }

    private CompletableFuture<Long> propose(String path, Op op, ByteBuffer data, Uploader.Snapshot snap) {
        CompletableFuture<Result> sent;
        long started = System.nanoTime();
        try {
            sent = uploader.submit(op, data);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.handle((result, error) -> {
            if (error != null) {
                LOG.debug("Proposal {} failed: {}", op.describe(), error.toString());
                problems.report(path, "waiting for the cluster: " + rootCause(error));
                return 500L;
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {}{} in {} ms", op.describe(), result.status(),
                        snap == null ? "" : " (" + snap.stat().size() + " bytes)", (System.nanoTime() - started) / 1_000_000);
            }
            return afterResult(path, op, result, snap);
        });
    }

    /** Records what the cluster decided for this node's own proposal. Returns a retry delay or null. */
    private Long afterResult(String path, Op op, Result r, Uploader.Snapshot snap) {
        switch (r.status()) {
            case APPLIED, NOOP, CONFLICT -> {
                return switch (op.type()) {
                    case PUT -> {
                        // On CONFLICT our bytes live on as the copy; the winner may now replace them here.
                        long version = r.status() == Result.Status.CONFLICT ? versionOr(table.get(path)) : r.version();
                        table.put(path, new Local(version, snap.sha256(), snap.stat()));
                        if (r.status() == Result.Status.CONFLICT) LOG.info("Conflict: {} kept as {}", path, r.path());
                        // Committed as read: a change made since then has an event of its own.
                        yield r.status() == Result.Status.APPLIED ? null : 0L;
                    }
                    case DELETE -> {
                        if (r.status() != Result.Status.CONFLICT) table.remove(path);
                        yield 0L;
                    }
                    case MKDIR, META -> {
                        FileStat st = FileStat.of(root, path);
                        Local l = table.get(path);
                        // A directory made here that the cluster had already (a file's parent, say) is
                        // synced too: its mode, if not the committed one, is a change made here.
                        boolean made = r.status() == Result.Status.APPLIED
                                || (op instanceof Op.Mkdir && r.status() == Result.Status.NOOP && st != null && st.kind() == FileStat.Kind.DIR);
                        if (made && st != null) table.put(path, new Local(r.version(), l == null ? null : l.sha256(), st));
                        yield 0L;
                    }
                    case RENAME, HELLO, TRUST, CHUNK, RESTORE, HISTORY -> 0L;
                };
            }
            case SUPERSEDED -> {
                if (op instanceof Op.Delete) table.remove(path); // the change won: it comes back
                return 0L;
            }
            case REJECTED -> {
                if (op instanceof Op.Meta && index.get(path) == null) {
                    // Deleted or moved away elsewhere meanwhile. A change of mode or time alone does
                    // not bring a file back (an edit of its content would): compared again, it goes
                    // here too, as when the deletion is applied before the change is seen.
                    LOG.info("{} was deleted or moved elsewhere while its mode or time changed here; it goes here too", path);
                    return 0L;
                }
                LOG.warn("Change to {} refused: {}", path, r.detail());
                problems.block(path, r.detail(), FileStat.of(root, path));
                return null;
            }
            case DUPLICATE -> {
                return 0L;
            }
        }
        return null;
    }

    private static long versionOr(Local l) {
        return l == null ? 0 : l.version();
    }

    /** A rename seen by the watcher: one op, when both sides are what this node last synced. */
    CompletableFuture<Boolean> proposeMove(String from, String to) {
        FileStat moved = FileStat.of(root, to);
        Local local = table.get(from);
        Op.Rename op = decision.rename(from, to, local, index.get(from), moved, table.get(to), index.get(to));
        if (op == null) return CompletableFuture.completedFuture(false); // compared path by path instead
        CompletableFuture<Result> sent;
        try {
            sent = uploader.submit(op, null);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(false);
        }
        return sent.handle((r, e) -> {
            if (e != null || r == null) return false;
            if (r.status() != Result.Status.APPLIED && r.status() != Result.Status.CONFLICT) {
                LOG.debug("Rename {} -> {} not applied ({}): comparing both paths", from, to, r.detail());
                return false;
            }
            // The disk has the moved tree at `to`: carry what we knew of it along.
            table.moveSubtree(from, to, Reconciliation.movedRow(local, moved));
            if (r.status() == Result.Status.CONFLICT) LOG.info("Conflict: {} moved onto a changed {}, kept as {}", from, to, r.path());
            return true;
        });
    }

    /** A committed rename: moving the files on disk beats writing them all again. False when not done. */
    CompletableFuture<Boolean> moveCommitted(String from, String to) {
        try {
            return materializer.move(from, to, table);
        } catch (IOException e) {
            LOG.debug("Moving {} to {} on disk failed, writing instead: {}", from, to, e.toString());
            return CompletableFuture.completedFuture(false);
        }
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
