package io.pickbox.index;

import io.pickbox.folder.ConflictNames;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry.Kind;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result.Status;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The replicated index: path to entry, the committed state every folder converges to.
 *
 * <p>{@link #apply} is a pure function of (index, op, log index): every decision about conflicts,
 * conflict names, renames and rejections is made here from replicated state only, so all nodes
 * reach the same index. It never touches a folder.
 */
public final class Index {

    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> pathByFold = new HashMap<>();
    private final Map<String, Integer> chunkRefs = new HashMap<>();
    private final Map<String, Long> lastSeqByOrigin = new HashMap<>();
    private final Map<String, String> peerAddresses = new HashMap<>();
    private final ClusterTrust trust = new ClusterTrust();
    private long versionClock;
    private long appliedOps;
    private long bytes;
    private int conflictCount;
    private final List<IndexListener> listeners = new CopyOnWriteArrayList<>();

    /** Changes made by the op being applied, announced once it is done. */
    private final List<Runnable> pendingEvents = new ArrayList<>();

    public void addListener(IndexListener l) {
        listeners.add(l);
    }

    // ---------------------------------------------------------------- reads

    public synchronized Entry get(String path) {
        return entries.get(path);
    }

    /** Entries at or under {@code prefix} ("" for all), in path order. */
    public synchronized List<Map.Entry<String, Entry>> list(String prefix) {
        NavigableMap<String, Entry> view = prefix.isEmpty() ? entries : subtree(prefix, true);
        return new ArrayList<>(view.entrySet());
    }

    /**
     * At most {@code limit} entries at or under {@code prefix} ("" for all) that sort after
     * {@code after} (exclusive; null to start at the first), in path order. Reads only the entries
     * it returns: a listing of any size is served one bounded page at a time.
     */
    public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit) {
        return page(prefix, after, limit, e -> true);
    }

    /**
     * Visits every entry at or under {@code prefix} ("" for all) in path order, a page at a time: the
     * index is not locked while {@code visitor} runs, and changes made meanwhile may or may not be seen.
     */
    public void forEach(String prefix, BiConsumer<String, Entry> visitor) {
        for (String after = null; ; ) {
            List<Map.Entry<String, Entry>> page = page(prefix, after, VISIT_PAGE);
            for (var e : page) visitor.accept(e.getKey(), e.getValue());
            if (page.size() < VISIT_PAGE) return;
            after = page.get(page.size() - 1).getKey();
        }
    }

    private static final int VISIT_PAGE = 1000;

    /**
     * Like {@link #page(String, String, int)}, keeping only entries {@code filter} accepts; the
     * entries it skips are read but never held.
     */
    public synchronized List<Map.Entry<String, Entry>> page(String prefix, String after, int limit, Predicate<Entry> filter) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>(Math.min(limit, 1024));
        if (!prefix.isEmpty() && (after == null || after.compareTo(prefix) < 0)) {
            Entry self = entries.get(prefix);
            if (self != null && filter.test(self) && limit > 0) out.add(Map.entry(prefix, self));
        }
        for (var e : pageRange(prefix, after).entrySet()) {
            if (out.size() >= limit) break;
            if (filter.test(e.getValue())) out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** What sorts after {@code after} among the entries strictly below {@code prefix} ("" for all). */
    private NavigableMap<String, Entry> pageRange(String prefix, String after) {
        // '/' + 1 == '0': every "prefix/..." key sorts between "prefix/" and "prefix0".
        String hi = prefix.isEmpty() ? null : prefix + "0";
        String lo = prefix.isEmpty() ? "" : prefix + "/";
        boolean loInclusive = true;
        if (after != null && after.compareTo(lo) >= 0) {
            if (hi != null && after.compareTo(hi) >= 0) return Collections.emptyNavigableMap();
            lo = after;
            loInclusive = false;
        }
        return hi == null ? entries.tailMap(lo, loInclusive) : entries.subMap(lo, loInclusive, hi, false);
    }

    /**
     * At most {@code limit} entries directly in directory {@code dir} ("" for the top level) that
     * sort after {@code after} (exclusive; null to start at the first), in path order. The subtree
     * of each child directory is stepped over, not read.
     */
    public synchronized List<Map.Entry<String, Entry>> children(String dir, String after, int limit) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>(Math.min(limit, 1024));
        String base = dir.isEmpty() ? "" : dir + "/";
        Map.Entry<String, Entry> e = after == null || after.compareTo(base) < 0
                ? entries.ceilingEntry(base) : entries.higherEntry(after);
        while (e != null && out.size() < limit && e.getKey().startsWith(base)) {
            String rel = e.getKey().substring(base.length());
            int slash = rel.indexOf('/');
            if (slash < 0) {
                out.add(Map.entry(e.getKey(), e.getValue()));
                e = entries.higherEntry(e.getKey());
            } else {
                e = entries.ceilingEntry(base + rel.substring(0, slash) + "0");
            }
        }
        return out;
    }

    public synchronized boolean hasChunk(String sha256) {
        return chunkRefs.containsKey(sha256);
    }

    public synchronized long lastSeq(String origin) {
        return lastSeqByOrigin.getOrDefault(origin, 0L);
    }

    /** The cluster's invites, issued and revoked certificates. */
    public ClusterTrust trust() {
        return trust;
    }

    /** Where each node said its peer port listens. */
    public synchronized Map<String, String> peerAddresses() {
        return Map.copyOf(peerAddresses);
    }

    public synchronized long versionClock() {
        return versionClock;
    }

    /** Pickbox ops applied by this process (not replicated; for idleness checks and metrics). */
    public synchronized long appliedOps() {
        return appliedOps;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long fileBytes() {
        return bytes;
    }

    /** Conflict copies in the index, counted as they come and go (status asks every second). */
    public synchronized int conflictCount() {
        return conflictCount;
    }

    public synchronized List<Map.Entry<String, Entry>> conflicts() {
        List<Map.Entry<String, Entry>> out = new ArrayList<>();
        for (var e : entries.entrySet()) {
            if (e.getValue().conflictOf() != null) out.add(e);
        }
        return out;
    }

    // ---------------------------------------------------------------- apply

    public Result apply(Op op, long logIndex) {
        Result result;
        synchronized (this) {
            result = decide(op, logIndex);
        }
        List<Runnable> events;
        synchronized (this) {
            events = new ArrayList<>(pendingEvents);
            pendingEvents.clear();
        }
        events.forEach(Runnable::run);
        for (IndexListener l : listeners) l.applied(logIndex, op, result);
        return result;
    }

    private Result decide(Op op, long logIndex) {
        return op.accept(new Op.Cases<>() {
            @Override
            public Result chunk(Op.Chunk c) {
                // The bytes are in the blob store already; a file that uses them says so in its Put.
                appliedOps++;
                return new Result(Status.NOOP, null, 0, null);
            }

            @Override
            public Result put(Op.Put p) {
                return once(p, () -> Index.this.put(p, logIndex));
            }

            @Override
            public Result mkdir(Op.Mkdir m) {
                return once(m, () -> Index.this.mkdir(m, logIndex));
            }

            @Override
            public Result delete(Op.Delete d) {
                return once(d, () -> Index.this.delete(d));
            }

            @Override
            public Result rename(Op.Rename r) {
                return once(r, () -> Index.this.rename(r, logIndex));
            }

            @Override
            public Result meta(Op.Meta m) {
                return once(m, () -> Index.this.meta(m));
            }

            @Override
            public Result hello(Op.Hello h) {
                return once(h, () -> {
                    peerAddresses.put(h.origin().node(), h.peerAddress());
                    return new Result(Status.APPLIED, null, 0, null);
                });
            }

            @Override
            public Result trust(Op.Trust t) {
                return once(t, () -> trust.apply(t.change(), t.atMillis()));
            }
        });
    }

    /** Makes {@code change} unless its origin's sequence shows it was applied already (a retried proposal). */
    private Result once(Op op, Supplier<Result> change) {
        Origin origin = op.origin();
        long last = lastSeqByOrigin.getOrDefault(origin.node(), 0L);
        if (origin.seq() <= last) {
            return new Result(Status.DUPLICATE, null, 0, "sequence " + origin.seq() + " of " + origin.node() + " already applied");
        }
        lastSeqByOrigin.put(origin.node(), origin.seq());
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
        Entry cur = entries.get(path);
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
        Entry cur = entries.get(path);
        Entry incoming = Entry.dir(0, m.mode(), m.mtime(), m.origin().node());
        if (cur == null) return create(path, incoming, m.origin(), logIndex);
        if (cur.isDir()) return new Result(Status.NOOP, path, cur.version(), null);
        return conflictCopy(path, incoming, m.origin(), logIndex);
    }

    private Result delete(Op.Delete d) {
        String path = checked(d.path());
        Entry cur = entries.get(path);
        if (cur == null) return new Result(Status.NOOP, path, 0, "already deleted");
        if (cur.isFile()) {
            if (cur.version() != d.base()) {
                return new Result(Status.SUPERSEDED, path, cur.version(), "changed concurrently; the change wins");
            }
            remove(path);
            return Result.applied(path, 0);
        }
        // A directory: drop what the proposer had seen, keep what changed after it.
        List<String> subtree = new ArrayList<>(subtree(path, true).descendingKeySet());
        int kept = 0;
        for (String p : subtree) {
            if (entries.get(p).version() <= d.seen() && subtree(p, false).isEmpty()) {
                remove(p);
            } else {
                kept++;
            }
        }
        if (entries.containsKey(path)) {
            return new Result(Status.SUPERSEDED, path, entries.get(path).version(),
                    kept + " entries changed concurrently were kept");
        }
        return Result.applied(path, 0);
    }

    private Result rename(Op.Rename r, long logIndex) {
        String from = checked(r.from());
        String to = checked(r.to());
        Entry src = entries.get(from);
        if (src == null) return Result.rejected(from, "rename source is not committed: " + from);
        if (from.equals(to)) return new Result(Status.NOOP, to, src.version(), null);
        if (to.startsWith(from + "/")) return Result.rejected(to, "cannot move a directory into itself");
        if (src.isFile() && src.version() != r.srcBase()) {
            return Result.rejected(from, "rename source changed concurrently");
        }
        String target = to;
        Status status = Status.APPLIED;
        Entry dst = entries.get(to);
        if (dst != null) {
            if (src.isFile() && dst.isFile() && dst.version() == r.dstBase()) {
                remove(to);
            } else {
                target = conflictName(to, r.origin(), logIndex);
                status = Status.CONFLICT;
            }
        } else {
            String other = pathByFold.get(PathValidator.caseFold(to));
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

        NavigableMap<String, Entry> moved = new TreeMap<>(subtree(from, true));
        for (String p : moved.descendingKeySet()) remove(p);
        createParents(target, r.origin());
        long version = 0;
        for (var e : moved.entrySet()) {
            String newPath = target + e.getKey().substring(from.length());
            Entry entry = e.getValue().withVersion(nextVersion());
            if (status == Status.CONFLICT && e.getKey().equals(from)) entry = entry.asConflictOf(to);
            long v = store(newPath, entry);
            if (e.getKey().equals(from)) version = v;
        }
        String finalTarget = target;
        pendingEvents.add(0, () -> listeners.forEach(l -> l.renamed(from, finalTarget)));
        return new Result(status, target, version, status == Status.CONFLICT ? "destination changed concurrently" : null);
    }

    private Result meta(Op.Meta m) {
        String path = checked(m.path());
        Entry cur = entries.get(path);
        if (cur == null) return Result.rejected(path, "not committed: " + path);
        if (cur.version() != m.base()) {
            return new Result(Status.SUPERSEDED, path, cur.version(), "changed concurrently; the change wins");
        }
        if (cur.mode() == m.mode() && cur.mtime() == m.mtime()) return new Result(Status.NOOP, path, cur.version(), null);
        Entry updated = new Entry(cur.kind(), nextVersion(), cur.size(), cur.sha256(), cur.chunks(),
                m.mode(), m.mtime(), m.origin().node(), cur.conflictOf());
        return Result.applied(path, store(path, updated));
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
        String copy = conflictName(path, origin, logIndex);
        return place(copy, incoming.asConflictOf(path), Status.CONFLICT, origin);
    }

    private Result place(String path, Entry entry, Status status, Origin origin) {
        if (!PathValidator.isValid(path)) return Result.rejected(path, "no valid name is left for " + path);
        String other = pathByFold.get(PathValidator.caseFold(path));
        if (other != null && !other.equals(path)) return Result.rejected(path, "case collision with " + other);
        String collision = parentFoldCollision(path);
        if (collision != null) return Result.rejected(path, "case collision with " + collision);
        createParents(path, origin);
        long v = store(path, entry.withVersion(nextVersion()));
        return new Result(status, path, v, status == Status.CONFLICT ? "conflict copy of " + entry.conflictOf() : null);
    }

    private String conflictName(String path, Origin origin, long logIndex) {
        return ConflictNames.conflictPath(path, origin.node(), logIndex,
                p -> entries.containsKey(p) || pathByFold.containsKey(PathValidator.caseFold(p)));
    }

    private String firstFileAncestor(String path) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            Entry e = entries.get(path.substring(0, i));
            if (e != null && e.isFile()) return path.substring(0, i);
        }
        return null;
    }

    /** A missing parent whose name case-folds onto a different existing path. */
    private String parentFoldCollision(String path) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String parent = path.substring(0, i);
            if (entries.containsKey(parent)) continue;
            String other = pathByFold.get(PathValidator.caseFold(parent));
            if (other != null) return other;
        }
        return null;
    }

    private void createParents(String path, Origin origin) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String parent = path.substring(0, i);
            if (!entries.containsKey(parent)) {
                store(parent, Entry.dir(nextVersion(), 0755, 0, origin.node()));
            }
        }
    }

    // ---------------------------------------------------------------- mutation primitives

    private long nextVersion() {
        return ++versionClock;
    }

    private long store(String path, Entry entry) {
        Entry before = entries.put(path, entry);
        if (before != null) unref(before);
        ref(entry);
        pathByFold.put(PathValidator.caseFold(path), path);
        pendingEvents.add(() -> listeners.forEach(l -> l.changed(path, before, entry)));
        return entry.version();
    }

    private void remove(String path) {
        Entry before = entries.remove(path);
        if (before == null) return;
        unref(before);
        pathByFold.remove(PathValidator.caseFold(path), path);
        pendingEvents.add(() -> listeners.forEach(l -> l.changed(path, before, null)));
    }

    private void ref(Entry e) {
        bytes += e.size();
        if (e.conflictOf() != null) conflictCount++;
        for (String c : e.chunks()) chunkRefs.merge(c, 1, Integer::sum);
    }

    private void unref(Entry e) {
        bytes -= e.size();
        if (e.conflictOf() != null) conflictCount--;
        for (String c : e.chunks()) chunkRefs.computeIfPresent(c, (k, n) -> n == 1 ? null : n - 1);
    }

    /** {@code path} itself (when inclusive) and everything below it. */
    private NavigableMap<String, Entry> subtree(String path, boolean inclusive) {
        // '/' + 1 == '0': every "path/..." key sorts between "path/" and "path0".
        NavigableMap<String, Entry> below = entries.subMap(path + "/", true, path + "0", false);
        if (!inclusive || !entries.containsKey(path)) return below;
        TreeMap<String, Entry> out = new TreeMap<>(below);
        out.put(path, entries.get(path));
        return out;
    }

    private static String checked(String path) {
        String normalized = PathValidator.normalize(path);
        if (!normalized.equals(path)) throw new InvalidPathException("path is not in canonical form: " + path);
        return path;
    }

    // ---------------------------------------------------------------- snapshots

    /** A consistent copy of the replicated state, for snapshots. */
    public synchronized IndexState state() {
        return new IndexState(versionClock, new HashMap<>(lastSeqByOrigin), new HashMap<>(peerAddresses), new TreeMap<>(entries),
                trust.copy());
    }

    /** Replaces the whole state (snapshot load or install) and tells listeners to compare everything. */
    public void restore(IndexState state) {
        synchronized (this) {
            entries.clear();
            pathByFold.clear();
            chunkRefs.clear();
            bytes = 0;
            conflictCount = 0;
            lastSeqByOrigin.clear();
            lastSeqByOrigin.putAll(state.lastSeqByOrigin());
            peerAddresses.clear();
            peerAddresses.putAll(state.peerAddresses());
            trust.copyFrom(state.trust());
            versionClock = state.versionClock();
            for (var e : state.entries().entrySet()) {
                entries.put(e.getKey(), e.getValue());
                ref(e.getValue());
                pathByFold.put(PathValidator.caseFold(e.getKey()), e.getKey());
            }
            pendingEvents.clear();
        }
        listeners.forEach(IndexListener::reset);
    }
}
