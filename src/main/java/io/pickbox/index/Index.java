package io.pickbox.index;

import io.pickbox.folder.PathValidator;
import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Keys;
import io.pickbox.store.Snapshot;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import io.pickbox.store.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The replicated index: path to entry, the committed state every folder converges to.
 *
 * <p>{@link #applyEntry} is a pure function of (index, op, log index): the {@link Applier} makes
 * every decision from replicated state only, so all nodes reach the same index. It never touches a
 * folder.
 *
 * <p>The state lives in the node's {@link Store} (tables named {@code index.*}, counters in the
 * meta table); the heap holds only the counters and the cluster's small trust state. The ops of
 * one Raft entry are applied in one batch and committed together with the entry's log index: the
 * store always holds a prefix of the log, and says which.
 */
public final class Index implements AutoCloseable {

    /** Every table and meta key of the index is named with this prefix: what a checkpoint for peers holds. */
    public static final String NAMESPACE = "index.";

    private static final Cleaner CLEANER = Cleaner.create();
    /** Private stores not yet released: removed at exit even if never closed (their files only; the JVM is going). */
    private static final java.util.Set<Path> TEMP_DIRS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMP_DIRS.forEach(Index::deleteTree), "pickbox-index-temp"));
    }
    private static final Logger LOG = LoggerFactory.getLogger(Index.class);
    /** Rows per batch when whole tables are loaded or cleared: bounds the memory a batch holds. */
    private static final int ROWS_PER_BATCH = 4096;

    private final Store store;
    private final IndexTables t;
    private final Cleaner.Cleanable ownedStore;
    private final ClusterTrust trust = new ClusterTrust();
    private final List<IndexListener> listeners = new CopyOnWriteArrayList<>();
    private final History history;
    /** Makes every change to the tables, under this object's lock. */
    private final Applier applier;

    /** The index in the tables of {@code store}, which the caller owns. */
    public Index(Store store) {
        this.store = store;
        this.t = new IndexTables(store);
        this.history = new History(store);
        this.ownedStore = null;
        this.applier = new Applier(store, t, history, trust, listeners);
        load();
    }

    /** An index with a private store in a temporary directory, removed on {@link #close()} (tests, tools). */
    public Index() {
        Path dir;
        try {
            dir = Files.createTempDirectory("pickbox-index");
            this.store = Store.open(dir.resolve("store"), StoreOptions.SMALL);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary index store", e);
        }
        TEMP_DIRS.add(dir);
        this.t = new IndexTables(store);
        this.history = new History(store);
        this.applier = new Applier(store, t, history, trust, listeners);
        // an index dropped without close still releases its native store and its directory
        this.ownedStore = CLEANER.register(this, new Release(store, dir));
        load();
    }

    private record Release(Store store, Path dir) implements Runnable {
        @Override
        public void run() {
            store.close();
            deleteTree(dir);
            TEMP_DIRS.remove(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans it eventually
        }
    }

    /** Releases a private store (see {@link #Index()}); an index in a node's store leaves it open. */
    @Override
    public void close() {
        if (ownedStore != null) ownedStore.clean();
    }

    public Store store() {
        return store;
    }

    private synchronized void load() {
        recordChunkHoldersOnce();
        applier.load();
        history.load();
        byte[] trustBytes = store.get(t.meta, Keys.of(IndexTables.TRUST));
        if (trustBytes != null) IndexTables.decodeInto(trustBytes, trust);
        else trust.clear();
    }

    public void addListener(IndexListener l) {
        listeners.add(l);
    }

    // ---------------------------------------------------------------- reads

    public Entry get(String path) {
        byte[] v = store.get(t.entries, Keys.of(path));
        return v == null ? null : IndexTables.decode(v);
    }

    /** Entries at or under {@code prefix} ("" for all), in path order: prefer {@link #forEach} or {@link #page}. */
    public List<Map.Entry<String, Entry>> list(String prefix) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>();
        forEach(prefix, (p, e) -> out.add(Map.entry(p, e)));
        return out;
    }

    /**
     * At most {@code limit} entries at or under {@code prefix} ("" for all) that sort after
     * {@code after} (exclusive; null to start at the first), in path order (by code point). Reads
     * only the entries it returns: a listing of any size is served one bounded page at a time.
     */
    public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit) {
        return page(prefix, after, limit, e -> true);
    }

    /**
     * Visits every entry at or under {@code prefix} ("" for all) in path order, a page at a time:
     * changes committed meanwhile may or may not be seen.
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
    public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit, Predicate<Entry> filter) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>(Math.min(Math.max(limit, 0), 1024));
        if (limit <= 0) return out;
        byte[] afterKey = after == null ? null : Keys.of(after);
        try (Snapshot s = store.snapshot()) {
            if (!prefix.isEmpty() && (afterKey == null || Arrays.compareUnsigned(afterKey, Keys.of(prefix)) < 0)) {
                byte[] v = s.get(t.entries, Keys.of(prefix));
                if (v != null) {
                    Entry self = IndexTables.decode(v);
                    if (filter.test(self)) out.add(Map.entry(prefix, self));
                }
            }
            // '/' + 1 == '0': every "prefix/..." key sorts between "prefix/" and "prefix0".
            byte[] hi = prefix.isEmpty() ? null : Keys.of(prefix + "0");
            byte[] from = prefix.isEmpty() ? new byte[0] : Keys.of(prefix + "/");
            if (afterKey != null && Arrays.compareUnsigned(afterKey, from) >= 0) {
                if (hi != null && Arrays.compareUnsigned(afterKey, hi) >= 0) return out;
                from = afterKey;
            }
            try (Cursor c = s.cursor(t.entries, from, hi)) {
                while (out.size() < limit && c.next()) {
                    byte[] k = c.key();
                    if (afterKey != null && Arrays.equals(k, afterKey)) continue;
                    Entry e = IndexTables.decode(c.value());
                    if (filter.test(e)) out.add(Map.entry(Keys.string(k), e));
                }
            }
        }
        return out;
    }

    /**
     * At most {@code limit} entries directly in directory {@code dir} ("" for the top level) that
     * sort after {@code after} (exclusive; null to start at the first), in path order. The subtree
     * of each child directory is stepped over, not read.
     */
    public List<Map.Entry<String, Entry>> children(String dir, String after, int limit) {
        List<Map.Entry<String, Entry>> out = new ArrayList<>(Math.min(Math.max(limit, 0), 1024));
        String base = dir.isEmpty() ? "" : dir + "/";
        byte[] end = dir.isEmpty() ? null : Keys.of(dir + "0");
        byte[] skip = null;
        byte[] from = Keys.of(base);
        if (after != null && Arrays.compareUnsigned(Keys.of(after), from) >= 0) {
            from = Keys.of(after);
            skip = from;
        }
        try (Snapshot s = store.snapshot()) {
            while (from != null && out.size() < limit) {
                byte[] next = null;
                try (Cursor c = s.cursor(t.entries, from, end)) {
                    while (out.size() < limit && c.next()) {
                        byte[] k = c.key();
                        if (skip != null && Arrays.equals(k, skip)) continue;
                        String path = Keys.string(k);
                        String rel = path.substring(base.length());
                        int slash = rel.indexOf('/');
                        if (slash < 0) {
                            out.add(Map.entry(path, IndexTables.decode(c.value())));
                        } else {
                            next = Keys.of(base + rel.substring(0, slash) + "0");
                            break;
                        }
                    }
                }
                from = next;
                skip = null;
            }
        }
        return out;
    }

    /** A path whose current large file holds a chunk, and the chunk's index in it. */
    public record ChunkHolder(String path, int chunk) {}

    /**
     * Up to {@code max} paths whose current large file holds chunk {@code sha256}, in path order: a
     * node that needs the chunk can read it from its own copy of one (which may have changed since
     * it was committed: the bytes must match the hash).
     */
    public List<ChunkHolder> holdersOf(String sha256, int max) {
        List<ChunkHolder> out = new ArrayList<>();
        byte[] from = Keys.of(sha256);
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(t.holders, from, Keys.prefixEnd(from))) {
            while (out.size() < max && c.next()) {
                out.add(new ChunkHolder(Keys.string(c.key()).substring(sha256.length()), (int) Keys.toLong(c.value())));
            }
        }
        return out;
    }

    /**
     * Which paths hold the chunks of large files is recorded as entries are applied; a store written
     * before that was recorded (or a checkpoint from such a node) gets the record once, from its entries.
     */
    private void recordChunkHoldersOnce() {
        if (store.getLong(t.meta, IndexTables.HOLDERS_BUILT, 0) == 1) return;
        store.clear(List.of(t.holders), t.meta, List.of());
        long files = 0;
        Batch b = store.batch();
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(t.entries, null)) {
            while (c.next()) {
                Entry e = IndexTables.decode(c.value());
                if (!IndexTables.holdsChunks(e)) continue;
                t.putHolders(b, Keys.string(c.key()), e);
                files++;
                b = commitIfFull(b);
            }
            b.putLong(t.meta, IndexTables.HOLDERS_BUILT, 1);
            b.commit();
        } finally {
            b.close();
        }
        if (files > 0) LOG.info("Recorded where the chunks of {} large files are", files);
    }

    public boolean hasChunk(String sha256) {
        return store.get(t.chunks, Keys.of(sha256)) != null;
    }

    public long lastSeq(String origin) {
        byte[] v = store.get(t.seq, Keys.of(origin));
        return v == null ? 0 : Keys.toLong(v);
    }

    // what apply reads now through its caches, for tests to compare with the store

    synchronized Entry cachedEntry(String path) {
        return applier.cachedEntry(path);
    }

    synchronized String cachedFoldOwner(String foldedPath) {
        return applier.cachedFoldOwner(foldedPath);
    }

    synchronized Long cachedChunkRefs(String sha256) {
        return applier.cachedChunkRefs(sha256);
    }

    synchronized long lastSeqApplied(String origin) {
        return applier.lastSeqApplied(origin);
    }

    /** The cluster's invites, issued and revoked certificates. */
    public ClusterTrust trust() {
        return trust;
    }

    /** Where each node said its peer port listens. */
    public Map<String, String> peerAddresses() {
        Map<String, String> out = new HashMap<>();
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(t.peers, null)) {
            while (c.next()) out.put(Keys.string(c.key()), Keys.string(c.value()));
        }
        return Map.copyOf(out);
    }

    public long versionClock() {
        return applier.committed().versionClock();
    }

    /** Pickbox ops applied by this process (not replicated; for idleness checks and metrics). */
    public long appliedOps() {
        return applier.appliedOps();
    }

    public int size() {
        return (int) applier.committed().count();
    }

    public long fileBytes() {
        return applier.committed().bytes();
    }

    /** Conflict copies in the index, counted as they come and go (status asks every second). */
    public int conflictCount() {
        return (int) applier.committed().conflicts();
    }

    /** The last Raft log index whose ops the store holds (0: none). */
    public long appliedIndex() {
        return applier.committed().appliedIndex();
    }

    /** The term of {@link #appliedIndex()}. */
    public long appliedTerm() {
        return applier.committed().appliedTerm();
    }

    // ---------------------------------------------------------------- history

    /** The versions of {@code path}, newest first (the current one, if any, first of all); at most {@code limit}. */
    public List<HistoryVersion> history(String path, int limit) {
        List<HistoryVersion> out = new ArrayList<>();
        if (limit <= 0) return out;
        try (Snapshot s = store.snapshot()) {
            byte[] v = s.get(t.entries, Keys.of(path));
            if (v != null) out.add(new HistoryVersion(path, IndexTables.decode(v), 0, null, HistoryVersion.Ending.CURRENT, null));
            List<HistoryVersion> old = history.versionsOf(s, path);
            for (int i = old.size() - 1; i >= 0 && out.size() < limit; i--) out.add(old.get(i));
        }
        return out;
    }

    /** Version {@code version} of {@code path} (current or old), or null if the history has no such version. */
    public HistoryVersion version(String path, long version) {
        try (Snapshot s = store.snapshot()) {
            byte[] v = s.get(t.entries, Keys.of(path));
            if (v != null) {
                Entry cur = IndexTables.decode(v);
                if (cur.version() == version) return new HistoryVersion(path, cur, 0, null, HistoryVersion.Ending.CURRENT, null);
            }
            for (HistoryVersion h : history.versionsOf(s, path)) if (h.version() == version) return h;
        }
        return null;
    }

    /**
     * Deleted paths at or under {@code prefix} ("" for all) that are not there now, most recently
     * deleted first: at most {@code limit}, after the cursor {@code after} ({@link HistoryVersion#cursor()}; null: from the newest).
     */
    public List<HistoryVersion> trash(String prefix, String after, int limit) {
        try (Snapshot s = store.snapshot()) {
            return history.trash(s, prefix, after, limit, p -> s.get(t.entries, Keys.of(p)) != null);
        }
    }

    /** The history's committed settings and size. */
    public HistoryStatus historyStatus() {
        History.Counters c = history.committed();
        long time = applier.committedTime();
        return new HistoryStatus(c.days(), c.maxBytes(), History.cap(c, applier.committed().bytes()), c.bytes(), c.count(),
                History.restorableSince(c, time), time);
    }

    /** Whether a version kept in the history references this chunk. */
    public boolean historyHasChunk(String sha256) {
        return history.hasChunk(sha256);
    }

    /** The cluster's time as of the last applied entry (milliseconds; 0 before any stamped entry). */
    public long committedTime() {
        return applier.committedTime();
    }

    public List<Map.Entry<String, Entry>> conflicts() {
        List<Map.Entry<String, Entry>> out = new ArrayList<>();
        for (String after = null; ; ) {
            List<Map.Entry<String, Entry>> page = page("", after, VISIT_PAGE);
            for (var e : page) if (e.getValue().conflictOf() != null) out.add(e);
            if (page.size() < VISIT_PAGE) return out;
            after = page.get(page.size() - 1).getKey();
        }
    }

    // ---------------------------------------------------------------- apply

    public Result apply(Op op, long logIndex) {
        return applyEntry(List.of(op), 0, logIndex).get(0);
    }

    /**
     * Applies the ops of one Raft entry in one batch, committed with the entry's term and index;
     * listeners hear of the changes once the batch is committed, op by op.
     */
    public List<Result> applyEntry(List<Op> ops, long term, long logIndex) {
        return applyEntry(ops, term, logIndex, 0);
    }

    /**
     * As {@link #applyEntry(List, long, long)}, for an entry the leader stamped with {@code stampMillis}
     * (0: not stamped): the cluster's time moves to it, never back, and every version the entry
     * commits or retires is dated with it. Retention runs here too, a bounded amount per entry.
     */
    public List<Result> applyEntry(List<Op> ops, long term, long logIndex, long stampMillis) {
        List<Runnable> announcements = new ArrayList<>();
        List<Result> results;
        synchronized (this) {
            results = applier.applyEntry(ops, term, logIndex, stampMillis, announcements);
        }
        announcements.forEach(Runnable::run);
        return results;
    }

    /** Records that the store holds every entry up to ({@code term}, {@code logIndex}), when those after the last batch changed nothing. */
    public void markApplied(long term, long logIndex) {
        applyEntry(List.of(), term, logIndex);
    }

    // ---------------------------------------------------------------- whole states

    /** A copy of the whole replicated state, read from one snapshot of the store (tests, and the old snapshot format). */
    public IndexState state() {
        TreeMap<String, Entry> entries = new TreeMap<>();
        Map<String, Long> seqs = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        ClusterTrust trustCopy = new ClusterTrust();
        long clock;
        try (Snapshot s = store.snapshot()) {
            clock = s.getLong(t.meta, IndexTables.CLOCK, 0);
            try (Cursor c = s.cursor(t.entries, null)) {
                while (c.next()) entries.put(Keys.string(c.key()), IndexTables.decode(c.value()));
            }
            try (Cursor c = s.cursor(t.seq, null)) {
                while (c.next()) seqs.put(Keys.string(c.key()), Keys.toLong(c.value()));
            }
            try (Cursor c = s.cursor(t.peers, null)) {
                while (c.next()) addresses.put(Keys.string(c.key()), Keys.string(c.value()));
            }
            byte[] trustBytes = s.get(t.meta, Keys.of(IndexTables.TRUST));
            if (trustBytes != null) IndexTables.decodeInto(trustBytes, trustCopy);
        }
        return new IndexState(clock, seqs, addresses, entries, trustCopy);
    }

    /** Replaces the whole state (tests, and a snapshot of the old format) and tells listeners to compare everything. */
    public void restore(IndexState state) {
        Applier.Counters c = applier.committed();
        restore(state, c.appliedTerm(), c.appliedIndex());
    }

    /**
     * Replaces the whole state with {@code state}, as of Raft entry ({@code term}, {@code logIndex}).
     * Written in several batches, the applied index last: a crash in between leaves the store
     * without that index, and the load is done again.
     */
    public void restore(IndexState state, long term, long logIndex) {
        synchronized (this) {
            clearTables();
            long bytes = 0, conflicts = 0;
            Map<String, Long> refs = new HashMap<>();
            Batch b = store.batch();
            try {
                for (var e : state.entries().entrySet()) {
                    Entry entry = e.getValue();
                    b.put(t.entries, Keys.of(e.getKey()), IndexTables.encode(entry));
                    b.put(t.fold, Keys.of(PathValidator.caseFold(e.getKey())), Keys.of(e.getKey()));
                    bytes += entry.size();
                    if (entry.conflictOf() != null) conflicts++;
                    for (String c : entry.chunks()) refs.merge(c, 1L, Long::sum);
                    b = commitIfFull(b);
                }
                for (var r : refs.entrySet()) {
                    b.put(t.chunks, Keys.of(r.getKey()), Keys.ofLong(r.getValue()));
                    b = commitIfFull(b);
                }
                for (var s : state.lastSeqByOrigin().entrySet()) b.put(t.seq, Keys.of(s.getKey()), Keys.ofLong(s.getValue()));
                for (var p : state.peerAddresses().entrySet()) b.put(t.peers, Keys.of(p.getKey()), Keys.of(p.getValue()));
                b.put(t.meta, Keys.of(IndexTables.TRUST), IndexTables.encode(state.trust()))
                        .putLong(t.meta, IndexTables.CLOCK, state.versionClock())
                        .putLong(t.meta, IndexTables.BYTES, bytes)
                        .putLong(t.meta, IndexTables.COUNT, state.entries().size())
                        .putLong(t.meta, IndexTables.CONFLICTS, conflicts)
                        .putLong(t.meta, IndexTables.APPLIED, logIndex)
                        .putLong(t.meta, IndexTables.APPLIED_TERM, term);
                b.commit();
            } finally {
                b.close();
            }
            load();
        }
        listeners.forEach(IndexListener::reset);
    }

    /**
     * Replaces the whole state with the index held by {@code source} (a checkpoint installed from
     * another node, opened as a store). Written in several batches, the applied index last: a crash
     * in between leaves this store's applied index behind the checkpoint's, and the install is
     * done again.
     */
    public void replaceWith(Store source) {
        synchronized (this) {
            IndexTables from = new IndexTables(source);
            clearTables();
            Batch b = store.batch();
            try (Snapshot s = source.snapshot()) {
                List<Table> mine = t.all();
                List<Table> theirs = from.all();
                for (int i = 0; i < mine.size(); i++) {
                    try (Cursor c = s.cursor(theirs.get(i), null)) {
                        while (c.next()) {
                            b.put(mine.get(i), c.key(), c.value());
                            b = commitIfFull(b);
                        }
                    }
                }
                for (String key : IndexTables.META_KEYS) {
                    byte[] v = s.get(from.meta, Keys.of(key));
                    if (v != null) b.put(t.meta, Keys.of(key), v);
                    else b.delete(t.meta, Keys.of(key));
                }
                b.commit();
            } finally {
                b.close();
            }
            load();
        }
        listeners.forEach(IndexListener::reset);
    }

    /** A bulk load need not be one batch: commits {@code b} once it is full and goes on in a new one. */
    private Batch commitIfFull(Batch b) {
        if (b.size() < ROWS_PER_BATCH) return b;
        b.commit();
        return store.batch();
    }

    /** Whether {@code store} holds an index (it applied an entry, or loaded a snapshot). */
    public static boolean present(Store store) {
        return store.getLong(store.meta(), IndexTables.APPLIED, -1) >= 0;
    }

    /** The applied (term, index) recorded in {@code store}, without opening the index: {0, 0} if none. */
    public static long[] appliedIn(Store store) {
        return new long[] {store.getLong(store.meta(), IndexTables.APPLIED_TERM, 0), store.getLong(store.meta(), IndexTables.APPLIED, 0)};
    }

    /** Empties the index's tables and counters in one write: a crash leaves the old index whole, or none. */
    private void clearTables() {
        applier.forgetCachedRows();
        history.load();
        store.clear(t.all(), t.meta, IndexTables.META_KEYS.stream().map(Keys::of).toList());
    }
}
