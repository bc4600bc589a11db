package io.pickbox.index;

import io.pickbox.folder.ConflictNames;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry.Kind;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result.Status;
import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies committed ops to the index's tables, one Raft entry at a time: every decision about
 * conflicts, conflict names, renames, restores and rejections is made here, from the tables'
 * committed rows and the op alone, so every node decides alike. The {@link Index} owns the store
 * and calls this under its lock; this class publishes the counters each committed batch leaves.
 *
 * <p>The ops of one entry are applied in one batch and read through it (an op sees the writes of
 * the ops before it); the batch is committed with the entry's log index, so the store always
 * holds a prefix of the log, and says which.
 */
final class Applier {
    private final Store store;
    private final IndexTables t;
    /** The tables apply reads, cached; see {@link CachedTable}. */
    private final CachedTable<Entry> entries;
    private final CachedTable<String> fold;
    private final CachedTable<Long> chunks;
    private final CachedTable<Long> seqs;
    private final History history;
    private final ClusterTrust trust;
    private final List<IndexListener> listeners;

    /** Committed counters, published after each batch. */
    private volatile Counters committed;
    /** The cluster's time as of the last applied entry, and of the entry being applied. */
    private volatile long committedTime;
    private long now;
    /** How the op being applied ends the versions it replaces or removes, and who applies it. */
    private HistoryVersion.Ending ending;
    private String opNode, movedFrom, movedTo;
    private volatile long appliedOps;

    /** The batch being applied and what it changed so far. */
    private Batch batch;
    private Counters working;
    private ClusterTrust workingTrust;
    private List<Runnable> opEvents;

    /** The index's counters; all of them change only with a committed batch. */
    record Counters(long versionClock, long bytes, long count, long conflicts, long appliedIndex, long appliedTerm) {
        Counters withClock(long v) {
            return new Counters(v, bytes, count, conflicts, appliedIndex, appliedTerm);
        }
    }

    /** The trust state and listeners are the index's: this applies changes to the one and tells the others. */
    Applier(Store store, IndexTables t, History history, ClusterTrust trust, List<IndexListener> listeners) {
        this.store = store;
        this.t = t;
        this.history = history;
        this.trust = trust;
        this.listeners = listeners;
        entries = entryCache(store, t);
        fold = foldCache(store, t);
        chunks = chunkCache(store, t);
        seqs = seqCache(store, t);
    }

    /** Directories stay cached: every new file looks up each of its parents, and their number is what bounds this cache. */
    static final int CACHED_DIRECTORIES = 16_384;
    /** Sequences stay cached: one row per proposing node, read by every op. */
    static final int CACHED_ORIGINS = 1_024;

    private static CachedTable<Entry> entryCache(Store store, IndexTables t) {
        return new CachedTable<>(store, t.entries, IndexTables::decode, IndexTables::encode, Entry::isDir, CACHED_DIRECTORIES);
    }

    private static CachedTable<String> foldCache(Store store, IndexTables t) {
        return new CachedTable<>(store, t.fold, Keys::string, Keys::of, v -> false, 0);
    }

    private static CachedTable<Long> chunkCache(Store store, IndexTables t) {
        return new CachedTable<>(store, t.chunks, Keys::toLong, Keys::ofLong, v -> false, 0);
    }

    private static CachedTable<Long> seqCache(Store store, IndexTables t) {
        return new CachedTable<>(store, t.seq, Keys::toLong, Keys::ofLong, v -> true, CACHED_ORIGINS);
    }

    private List<CachedTable<?>> caches() {
        return List.of(entries, fold, chunks, seqs);
    }

    /** Reads the committed counters from the store and forgets every cached row: the tables were (re)written. */
    void load() {
        forgetCachedRows();
        committed = new Counters(store.getLong(t.meta, IndexTables.CLOCK, 0), store.getLong(t.meta, IndexTables.BYTES, 0),
                store.getLong(t.meta, IndexTables.COUNT, 0), store.getLong(t.meta, IndexTables.CONFLICTS, 0),
                store.getLong(t.meta, IndexTables.APPLIED, 0), store.getLong(t.meta, IndexTables.APPLIED_TERM, 0));
        committedTime = store.getLong(t.meta, IndexTables.TIME, 0);
    }

    /** The tables are about to be rewritten other than by apply. */
    void forgetCachedRows() {
        caches().forEach(CachedTable::clear);
    }

    Counters committed() {
        return committed;
    }

    /** The cluster's time as of the last applied entry (milliseconds; 0 before any stamped entry). */
    long committedTime() {
        return committedTime;
    }

    /** Pickbox ops applied by this process. */
    long appliedOps() {
        return appliedOps;
    }

    // what apply reads now through its caches, for tests to compare with the store

    Entry cachedEntry(String path) {
        return entries.get(path);
    }

    String cachedFoldOwner(String foldedPath) {
        return fold.get(foldedPath);
    }

    Long cachedChunkRefs(String sha256) {
        return chunks.get(sha256);
    }

    long lastSeqApplied(String origin) {
        Long v = seqs.get(origin);
        return v == null ? 0 : v;
    }

    // ---------------------------------------------------------------- apply

    /**
     * Applies the ops of one Raft entry in one batch, committed with the entry's term and index, for
     * an entry the leader stamped with {@code stampMillis} (0: not stamped): the cluster's time moves
     * to it, never back, and every version the entry commits or retires is dated with it. Retention
     * runs here too, a bounded amount per entry. What listeners are to hear of the committed batch,
     * op by op, is added to {@code announcements}, for the caller to run once it holds no lock.
     */
    List<Result> applyEntry(List<Op> ops, long term, long logIndex, long stampMillis, List<Runnable> announcements) {
        List<Result> results = new ArrayList<>(ops.size());
        begin();
        now = Math.max(committedTime, stampMillis);
        try {
            prefetch(ops);
            for (Op op : ops) {
                opEvents = new ArrayList<>();
                Result r = decide(op, logIndex);
                results.add(r);
                announcements.addAll(opEvents);
                announcements.add(() -> listeners.forEach(l -> l.applied(logIndex, op, r)));
            }
            if (!ops.isEmpty() && (history.enabled() || history.holdsAny()) && history.sweepDue(now)) {
                history.sweep(batch, now, working.bytes(), History.SWEEP_PER_ENTRY, this::live);
            }
            working = new Counters(working.versionClock(), working.bytes(), working.count(), working.conflicts(),
                    logIndex, term);
            commit();
        } finally {
            end();
        }
        return results;
    }

    /**
     * Reads in one call per table the rows the ops of an entry will look up first (their paths, the
     * paths' parents and case-folded names, a new file's chunks) instead of one call per row. Loads
     * committed rows only and never fails on an op apply would reject, so no result depends on it.
     */
    private void prefetch(List<Op> ops) {
        if (ops.size() < 2) return;
        List<String> paths = new ArrayList<>(), folds = new ArrayList<>(), chunkKeys = new ArrayList<>();
        for (Op op : ops) {
            String path;
            if (op instanceof Op.Put p) {
                path = p.path();
                chunkKeys.addAll(p.chunks());
            } else if (op instanceof Op.Mkdir m) {
                path = m.path();
            } else {
                continue;
            }
            if (path == null) continue;
            for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) paths.add(path.substring(0, i));
            paths.add(path);
            folds.add(PathValidator.caseFold(path));
        }
        entries.prefetch(paths);
        fold.prefetch(folds);
        chunks.prefetch(chunkKeys);
        history.prefetchChunks(chunkKeys);
    }

    private void begin() {
        batch = store.batch();
        working = committed;
        workingTrust = null;
        history.begin();
    }

    private void commit() {
        batch.putLong(t.meta, IndexTables.CLOCK, working.versionClock())
                .putLong(t.meta, IndexTables.BYTES, working.bytes())
                .putLong(t.meta, IndexTables.COUNT, working.count())
                .putLong(t.meta, IndexTables.CONFLICTS, working.conflicts())
                .putLong(t.meta, IndexTables.APPLIED, working.appliedIndex())
                .putLong(t.meta, IndexTables.APPLIED_TERM, working.appliedTerm());
        if (workingTrust != null) batch.put(t.meta, Keys.of(IndexTables.TRUST), IndexTables.encode(workingTrust));
        batch.putLong(t.meta, IndexTables.TIME, now);
        history.commit(batch);
        batch.commit();
        caches().forEach(CachedTable::committed);
        history.committedBatch();
        committed = working;
        committedTime = now;
        if (workingTrust != null) trust.copyFrom(workingTrust);
    }

    private void end() {
        // after a commit there is nothing left to forget; after a failure the batch's writes never happened
        caches().forEach(CachedTable::abandoned);
        history.abandoned();
        batch.close();
        batch = null;
        working = null;
        workingTrust = null;
        opEvents = null;
    }

    private Result decide(Op op, long logIndex) {
        ending = HistoryVersion.Ending.EDITED;
        opNode = op.origin().isNone() ? null : op.origin().node();
        movedFrom = null;
        movedTo = null;
        return op.accept(new Op.Cases<>() {
            @Override
            public Result chunk(Op.Chunk c) {
                // The bytes are in the blob store already; a file that uses them says so in its Put.
                appliedOps++;
                return new Result(Status.NOOP, null, 0, null);
            }

            @Override
            public Result put(Op.Put p) {
                return once(p, () -> Applier.this.put(p, logIndex));
            }

            @Override
            public Result mkdir(Op.Mkdir m) {
                return once(m, () -> Applier.this.mkdir(m, logIndex));
            }

            @Override
            public Result delete(Op.Delete d) {
                return once(d, () -> Applier.this.delete(d));
            }

            @Override
            public Result rename(Op.Rename r) {
                return once(r, () -> Applier.this.rename(r, logIndex));
            }

            @Override
            public Result meta(Op.Meta m) {
                return once(m, () -> Applier.this.meta(m));
            }

            @Override
            public Result hello(Op.Hello h) {
                return once(h, () -> {
                    batch.put(t.peers, Keys.of(h.origin().node()), Keys.of(h.peerAddress()));
                    return new Result(Status.APPLIED, null, 0, null);
                });
            }

            @Override
            public Result trust(Op.Trust tr) {
                return once(tr, () -> {
                    if (workingTrust == null) workingTrust = trust.copy();
                    return workingTrust.apply(tr.change(), tr.atMillis());
                });
            }

            @Override
            public Result restore(Op.Restore r) {
                return once(r, () -> Applier.this.restore(r, logIndex));
            }

            @Override
            public Result history(Op.History h) {
                return once(h, () -> Applier.this.history(h));
            }
        });
    }

    /** Makes {@code change} unless its origin's sequence shows it was applied already (a retried proposal). */
    private Result once(Op op, Supplier<Result> change) {
        Origin origin = op.origin();
        Long lastSeq = seqs.get(origin.node());
        long last = lastSeq == null ? 0 : lastSeq;
        if (origin.seq() <= last) {
            return new Result(Status.DUPLICATE, null, 0, "sequence " + origin.seq() + " of " + origin.node() + " already applied");
        }
        seqs.put(batch, origin.node(), origin.seq());
        appliedOps++;
        try {
            return change.get();
        } catch (InvalidPathException e) {
            return Result.rejected(null, e.getMessage());
        }
    }

    private Result put(Op.Put p, long logIndex) {
        String path = checked(p.path());
        Entry incoming = new Entry(Kind.FILE, 0, p.size(), p.sha256(), p.chunks(), p.mode(), p.mtime(),
                p.origin().node(), null);
        Entry cur = entry(path);
        if (cur == null) {
            return create(path, incoming, p.origin(), logIndex);
        }
        if (cur.isDir()) {
            return conflictCopy(path, incoming, p.origin(), logIndex);
        }
        if (cur.version() == p.base()) {
            if (cur.sha256().equals(p.sha256()) && cur.mode() == p.mode() && cur.mtime() == p.mtime()) {
                return new Result(Status.NOOP, path, cur.version(), null);
            }
            long v = store(path, incoming.withVersion(nextVersion()));
            return Result.applied(path, v);
        }
        if (cur.sha256().equals(p.sha256())) {
            return new Result(Status.NOOP, path, cur.version(), "same content already committed");
        }
        return conflictCopy(path, incoming, p.origin(), logIndex);
    }

    private Result mkdir(Op.Mkdir m, long logIndex) {
        String path = checked(m.path());
        Entry cur = entry(path);
        Entry incoming = Entry.dir(0, m.mode(), m.mtime(), m.origin().node());
        if (cur == null) return create(path, incoming, m.origin(), logIndex);
        if (cur.isDir()) return new Result(Status.NOOP, path, cur.version(), null);
        return conflictCopy(path, incoming, m.origin(), logIndex);
    }

    private Result delete(Op.Delete d) {
        String path = checked(d.path());
        ending = HistoryVersion.Ending.DELETED;
        Entry cur = entry(path);
        if (cur == null) return new Result(Status.NOOP, path, 0, "already deleted");
        if (cur.isFile()) {
            if (cur.version() != d.base()) {
                return new Result(Status.SUPERSEDED, path, cur.version(), "changed concurrently; the change wins");
            }
            remove(path);
            return Result.applied(path, 0);
        }
        // A directory: drop what the proposer had seen, keep what changed after it (deepest first).
        // Children sort after their directory, so walking backwards settles what is below a path first;
        // what stays below is noted here rather than looked up in a batch full of deletions.
        List<Map.Entry<String, Entry>> subtree = subtree(path);
        Set<String> holdingSomething = new HashSet<>();
        int kept = 0;
        for (int i = subtree.size() - 1; i >= 0; i--) {
            String p = subtree.get(i).getKey();
            if (subtree.get(i).getValue().version() <= d.seen() && !holdingSomething.contains(p)) {
                remove(p);
            } else {
                kept++;
                for (int slash = p.lastIndexOf('/'); slash > 0 && holdingSomething.add(p.substring(0, slash)); ) {
                    slash = p.lastIndexOf('/', slash - 1);
                }
            }
        }
        Entry left = entry(path);
        if (left != null) {
            return new Result(Status.SUPERSEDED, path, left.version(),
                    kept + " entries changed concurrently were kept");
        }
        return Result.applied(path, 0);
    }

    private Result rename(Op.Rename r, long logIndex) {
        String from = checked(r.from());
        String to = checked(r.to());
        Entry src = entry(from);
        if (src == null) return Result.rejected(from, "rename source is not committed: " + from);
        if (from.equals(to)) return new Result(Status.NOOP, to, src.version(), null);
        if (to.startsWith(from + "/")) return Result.rejected(to, "cannot move a directory into itself");
        if (src.isFile() && src.version() != r.srcBase()) {
            return Result.rejected(from, "rename source changed concurrently");
        }
        String target = to;
        Status status = Status.APPLIED;
        Entry dst = entry(to);
        if (dst != null) {
            if (src.isFile() && dst.isFile() && dst.version() == r.dstBase()) {
                ending = HistoryVersion.Ending.REPLACED;
                remove(to);
            } else {
                target = conflictName(to, r.origin(), logIndex);
                status = Status.CONFLICT;
            }
        } else {
            String other = foldOwner(to);
            if (other != null && !other.equals(from)) {
                return Result.rejected(to, "case collision with " + other);
            }
        }
        if (!PathValidator.isValid(target)) return Result.rejected(to, "no valid name is left for " + target);
        String fileAncestor = firstFileAncestor(target);
        if (fileAncestor != null) {
            return Result.rejected(to, "a file is in the way: " + fileAncestor);
        }
        String collision = parentFoldCollision(target);
        if (collision != null) return Result.rejected(to, "case collision with " + collision);

        List<Map.Entry<String, Entry>> moved = subtree(from);
        ending = HistoryVersion.Ending.MOVED;
        movedFrom = from;
        movedTo = target;
        for (int i = moved.size() - 1; i >= 0; i--) moveAway(moved.get(i).getKey(), moved.get(i).getValue());
        createParents(target, r.origin());
        long version = 0;
        for (var e : moved) {
            String newPath = target + e.getKey().substring(from.length());
            Entry entry = e.getValue().withVersion(nextVersion());
            if (status == Status.CONFLICT && e.getKey().equals(from)) entry = entry.asConflictOf(to);
            long v = moveHere(newPath, entry);
            if (e.getKey().equals(from)) version = v;
        }
        String finalTarget = target;
        opEvents.add(0, () -> listeners.forEach(l -> l.renamed(from, finalTarget)));
        return new Result(status, target, version, status == Status.CONFLICT ? "destination changed concurrently" : null);
    }

    private Result meta(Op.Meta m) {
        String path = checked(m.path());
        Entry cur = entry(path);
        if (cur == null) return Result.rejected(path, "not committed: " + path);
        if (cur.version() != m.base()) {
            return new Result(Status.SUPERSEDED, path, cur.version(), "changed concurrently; the change wins");
        }
        if (cur.mode() == m.mode() && cur.mtime() == m.mtime()) return new Result(Status.NOOP, path, cur.version(), null);
        Entry updated = new Entry(cur.kind(), nextVersion(), cur.size(), cur.sha256(), cur.chunks(),
                m.mode(), m.mtime(), m.origin().node(), cur.conflictOf());
        ending = HistoryVersion.Ending.CHANGED;
        return Result.applied(path, store(path, updated));
    }

    // ---------------------------------------------------------------- history ops

    /**
     * Most paths one restore op brings back: apply stays bounded (a few hundred milliseconds, a few
     * MB in its batch); the proposer goes on where it stopped. Each op is a round trip to the leader
     * and its apply on the proposer before the next: a tree of 10,000 files takes one.
     */
    static final int RESTORE_PATHS_PER_OP = 16_384;

    private Result history(Op.History h) {
        history.configure(h.days(), h.maxBytes(), h.purgeBefore());
        boolean more = (history.enabled() || history.holdsAny())
                && history.sweep(batch, now, working.bytes(), History.SWEEP_PER_TICK, this::live);
        return new Result(Status.APPLIED, null, 0, more ? "more to sweep" : null);
    }

    private Result restore(Op.Restore r, long logIndex) {
        String path = r.path().isEmpty() ? "" : checked(r.path());
        ending = HistoryVersion.Ending.RESTORED;
        if (r.version() > 0) return restoreVersion(r, path, logIndex);
        long since = History.restorableSince(history.committed(), now);
        if (r.atMillis() < since) {
            return Result.rejected(path, "the history reaches back to " + java.time.Instant.ofEpochMilli(since) + " only");
        }
        return restoreTree(r, path, logIndex);
    }

    /** One version, at its path or at {@code to}: a conflict copy if the target changed since the proposer looked. */
    private Result restoreVersion(Op.Restore r, String path, long logIndex) {
        Entry cur = entry(path);
        Entry old = null;
        if (cur != null && cur.version() == r.version()) {
            old = cur;
        } else {
            for (HistoryVersion v : history.versionsOf(batch, path)) if (v.version() == r.version()) old = v.entry();
        }
        if (old == null) return Result.rejected(path, "no version " + r.version() + " of " + path + " is kept");
        String target = r.to() != null ? checked(r.to()) : path;
        Entry restored = restoredCopy(old, r.origin());
        Entry there = entry(target);
        RestoreReport report;
        Result placed;
        if (restored.sameContent(there)) {
            report = new RestoreReport(0, 1, 0, 0, 0, null);
            return new Result(Status.NOOP, target, there.version(), report.toDetail());
        } else if (there == null) {
            placed = create(target, restored, r.origin(), logIndex);
        } else if (there.isDir() != restored.isDir() || there.version() > r.seen()) {
            placed = conflictCopy(target, restored, r.origin(), logIndex);
        } else {
            placed = Result.applied(target, store(target, restored.withVersion(nextVersion())));
        }
        if (placed.status() == Status.REJECTED) return placed;
        boolean conflict = placed.status() == Status.CONFLICT;
        report = new RestoreReport(conflict ? 0 : 1, 0, 0, 0, conflict ? 1 : 0, null);
        return new Result(placed.status(), placed.path(), placed.version(), report.toDetail());
    }

    /**
     * The tree at {@code path} as it was at {@code r.atMillis()}: each path's version then comes back
     * unless the path changed after the proposer looked (kept) or did not exist then (left). Paths
     * are taken in path order, so a directory comes back before what is in it.
     */
    private Result restoreTree(Op.Restore r, String path, long logIndex) {
        PastTree.Page page = PastTree.read(history, batch, t.entries, this::entry, path, r.after(), r.atMillis(),
                RESTORE_PATHS_PER_OP);
        List<String> paths = page.paths();
        List<Entry> then = page.then();
        prefetchRestored(paths, then);
        long restored = 0, unchanged = 0, kept = 0, newer = 0, conflicts = 0;
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            Entry old = then.get(i);
            Entry cur = entry(p);
            if (old == null) {
                if (cur != null) newer++;
                continue;
            }
            if (old.sameContent(cur)) {
                unchanged++;
                continue;
            }
            if (cur != null && cur.version() > r.seen()) {
                kept++;
                continue;
            }
            Entry restoredEntry = restoredCopy(old, r.origin());
            Result placed;
            if (cur == null) placed = create(p, restoredEntry, r.origin(), logIndex);
            else if (cur.isDir() != old.isDir()) placed = conflictCopy(p, restoredEntry, r.origin(), logIndex);
            else placed = Result.applied(p, store(p, restoredEntry.withVersion(nextVersion())));
            switch (placed.status()) {
                case APPLIED -> restored++;
                case CONFLICT -> conflicts++;
                default -> kept++;
            }
        }
        RestoreReport report = new RestoreReport(restored, unchanged, kept, newer, conflicts, page.last());
        return new Result(restored + conflicts > 0 ? Status.APPLIED : Status.NOOP, path, 0, report.toDetail());
    }

    /**
     * Reads in one call per table the rows restoring {@code paths} looks up (each path and its
     * parents, their case-folded names, the chunks of the versions coming back and what the history
     * holds of them), as {@link #prefetch}
     * does for the ops of an entry: thousands of paths, one read each otherwise.
     */
    private void prefetchRestored(List<String> paths, List<Entry> then) {
        Set<String> rows = new LinkedHashSet<>();
        List<String> folds = new ArrayList<>(paths.size()), chunkKeys = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (then.get(i) == null) continue;
            for (int j = p.indexOf('/'); j > 0; j = p.indexOf('/', j + 1)) rows.add(p.substring(0, j));
            rows.add(p);
            folds.add(PathValidator.caseFold(p));
            chunkKeys.addAll(then.get(i).chunks());
        }
        entries.prefetch(rows);
        fold.prefetch(folds);
        chunks.prefetch(chunkKeys);
        history.prefetchChunks(chunkKeys);
    }

    /** A kept version made current again by {@code origin}: its content, mode and mtime; no conflict mark. */
    private static Entry restoredCopy(Entry old, Op.Origin origin) {
        return new Entry(old.kind(), 0, old.size(), old.sha256(), old.chunks(), old.mode(), old.mtime(), origin.node(), null);
    }

    /** A new path: parents are (re)created; a file in the way of a parent makes it a conflict copy. */
    private Result create(String path, Entry incoming, Origin origin, long logIndex) {
        String fileAncestor = firstFileAncestor(path);
        if (fileAncestor != null) {
            String relocated = conflictName(fileAncestor, origin, logIndex) + path.substring(fileAncestor.length());
            return place(relocated, incoming.asConflictOf(path), Status.CONFLICT, origin);
        }
        return place(path, incoming, Status.APPLIED, origin);
    }

    private Result conflictCopy(String path, Entry incoming, Origin origin, long logIndex) {
        Map.Entry<String, Entry> kept = incoming.isFile() ? keptCopy(path, incoming, origin) : null;
        if (kept != null) {
            return new Result(Status.CONFLICT, kept.getKey(), kept.getValue().version(), "conflict copy of " + path + " already kept");
        }
        String copy = conflictName(path, origin, logIndex);
        return place(copy, incoming.asConflictOf(path), Status.CONFLICT, origin);
    }

    /**
     * A conflict copy of {@code path} that {@code origin}'s node already made with these bytes and
     * mode, or null. A node stopped after its losing edit was committed and before it recorded the
     * outcome proposes the same edit again when it restarts: it is kept once.
     */
    private Map.Entry<String, Entry> keptCopy(String path, Entry incoming, Origin origin) {
        String prefix = ConflictNames.copiesPrefix(path, origin.node());
        // '-' + 1 == '.': every "prefix..." key sorts before the prefix with its last '-' made a '.'.
        String end = prefix.substring(0, prefix.length() - 1) + ".";
        try (Cursor c = batch.cursor(t.entries, Keys.of(prefix), Keys.of(end))) {
            while (c.next()) {
                Entry e = IndexTables.decode(c.value());
                if (path.equals(e.conflictOf()) && e.isFile() && e.sha256().equals(incoming.sha256())
                        && e.mode() == incoming.mode()) {
                    return Map.entry(Keys.string(c.key()), e);
                }
            }
        }
        return null;
    }

    private Result place(String path, Entry entry, Status status, Origin origin) {
        if (!PathValidator.isValid(path)) return Result.rejected(path, "no valid name is left for " + path);
        String other = foldOwner(path);
        if (other != null && !other.equals(path)) return Result.rejected(path, "case collision with " + other);
        String collision = parentFoldCollision(path);
        if (collision != null) return Result.rejected(path, "case collision with " + collision);
        createParents(path, origin);
        long v = store(path, entry.withVersion(nextVersion()));
        return new Result(status, path, v, status == Status.CONFLICT ? "conflict copy of " + entry.conflictOf() : null);
    }

    private String conflictName(String path, Origin origin, long logIndex) {
        return ConflictNames.conflictPath(path, origin.node(), logIndex,
                p -> has(p) || foldOwner(p) != null);
    }

    private String firstFileAncestor(String path) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            Entry e = entry(path.substring(0, i));
            if (e != null && e.isFile()) return path.substring(0, i);
        }
        return null;
    }

    /** A missing parent whose name case-folds onto a different existing path. */
    private String parentFoldCollision(String path) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String parent = path.substring(0, i);
            if (has(parent)) continue;
            String other = foldOwner(parent);
            if (other != null) return other;
        }
        return null;
    }

    private void createParents(String path, Origin origin) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String parent = path.substring(0, i);
            if (!has(parent)) {
                store(parent, Entry.dir(nextVersion(), 0755, 0, origin.node()));
            }
        }
    }

    // ---------------------------------------------------------------- reads and writes through the batch

    private Entry entry(String path) {
        return entries.get(path);
    }

    private boolean has(String path) {
        return entries.get(path) != null;
    }

    /** The path whose case-folded name is that of {@code path}, or null. */
    private String foldOwner(String path) {
        return fold.get(PathValidator.caseFold(path));
    }

    /** {@code path} itself, if present, and everything below it, in path order (parents first). */
    private List<Map.Entry<String, Entry>> subtree(String path) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>();
        Entry self = entry(path);
        if (self != null) out.add(Map.entry(path, self));
        // '/' + 1 == '0': every "path/..." key sorts between "path/" and "path0".
        try (Cursor c = batch.cursor(t.entries, Keys.of(path + "/"), Keys.of(path + "0"))) {
            while (c.next()) out.add(Map.entry(Keys.string(c.key()), IndexTables.decode(c.value())));
        }
        return out;
    }

    // ---------------------------------------------------------------- mutation primitives

    private long nextVersion() {
        working = working.withClock(working.versionClock() + 1);
        return working.versionClock();
    }

    private long store(String path, Entry given) {
        Entry entry = given.committed(given.version(), now);
        Entry before = entry(path);
        if (before != null) {
            unref(before);
            unhold(path, before);
            history.retire(batch, path, before, now, opNode, ending, null, this::live);
        } else {
            count(+1);
        }
        ref(entry);
        hold(path, entry);
        return write(path, before, entry);
    }

    /** Puts an entry a rename moved at {@code path}, in the rename's target, where nothing is; its chunks stayed referenced. */
    private long moveHere(String path, Entry given) {
        Entry entry = given.committed(given.version(), now);
        count(+1);
        account(entry, +1);
        hold(path, entry);
        return write(path, null, entry);
    }

    /** Writes {@code entry} at {@code path}, where {@code before} was, and announces it. */
    private long write(String path, Entry before, Entry entry) {
        entries.put(batch, path, entry);
        fold.put(batch, PathValidator.caseFold(path), path);
        opEvents.add(() -> listeners.forEach(l -> l.changed(path, before, entry)));
        return entry.version();
    }

    private void remove(String path) {
        Entry before = entry(path);
        if (before == null) return;
        unref(before);
        unhold(path, before);
        takeAway(path, before, null);
    }

    /**
     * Takes {@code before}, as the rename read it, away from {@code path}, where a rename moves it
     * from: it keeps its chunks (their references are neither dropped nor taken again), and the
     * history keeps it as moved.
     */
    private void moveAway(String path, Entry before) {
        account(before, -1);
        unhold(path, before);
        takeAway(path, before, movedTo + path.substring(movedFrom.length()));
    }

    /** Deletes {@code before} at {@code path}, keeps it in the history (moved to {@code movedTo}, or null), and announces it. */
    private void takeAway(String path, Entry before, String movedTo) {
        entries.delete(batch, path);
        count(-1);
        history.retire(batch, path, before, now, opNode, ending, movedTo, this::live);
        if (path.equals(foldOwner(path))) fold.delete(batch, PathValidator.caseFold(path));
        opEvents.add(() -> listeners.forEach(l -> l.changed(path, before, null)));
    }

    private void count(int delta) {
        Counters w = working;
        working = new Counters(w.versionClock(), w.bytes(), w.count() + delta, w.conflicts(), w.appliedIndex(), w.appliedTerm());
    }

    private void ref(Entry e) {
        account(e, +1);
        for (String c : e.chunks()) {
            Long n = chunks.get(c);
            chunks.put(batch, c, n == null ? 1 : n + 1);
            if (n == null) history.liveGained(c);
        }
    }

    /** Records that {@code path} holds the chunks of {@code e} (a large file), each at its first index. */
    private void hold(String path, Entry e) {
        if (IndexTables.holdsChunks(e)) t.putHolders(batch, path, e);
    }

    private void unhold(String path, Entry e) {
        if (IndexTables.holdsChunks(e)) t.deleteHolders(batch, path, e);
    }

    /** Whether a current entry references {@code chunk}, as the batch sees it. */
    private boolean live(String chunk) {
        return chunks.get(chunk) != null;
    }

    private void unref(Entry e) {
        account(e, -1);
        for (String c : e.chunks()) {
            Long n = chunks.get(c);
            long left = n == null ? 0 : n - 1;
            if (left <= 0) {
                chunks.delete(batch, c);
                if (n != null) history.liveLost(c);
            } else {
                chunks.put(batch, c, left);
            }
        }
    }

    private void account(Entry e, int sign) {
        Counters w = working;
        working = new Counters(w.versionClock(), w.bytes() + sign * e.size(), w.count(),
                w.conflicts() + (e.conflictOf() != null ? sign : 0), w.appliedIndex(), w.appliedTerm());
    }

    private static String checked(String path) {
        String normalized = PathValidator.normalize(path);
        if (!normalized.equals(path)) throw new InvalidPathException("path is not in canonical form: " + path);
        return path;
    }
}
