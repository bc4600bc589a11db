package io.pickbox.index;

import io.pickbox.folder.Hashing;
import io.pickbox.index.HistoryVersion.Ending;
import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Keys;
import io.pickbox.store.Snapshot;
import io.pickbox.store.Store;
import io.pickbox.store.Table;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The versions the index replaced or removed, kept in the index's store so that every node holds
 * the same history: apply writes them, from committed state and the cluster's committed time only.
 *
 * <p>One table, four kinds of row told apart by their first byte: the versions by path ({@code v
 * path NUL endedAt version}: a path's versions in the order they ended, a subtree's in path order),
 * the same by the time they ended ({@code t}: what retention walks, oldest first), the deletions
 * newest first ({@code x}: the trash), and for each chunk how many kept versions reference it and
 * how large it is ({@code c}), so that the bytes the history holds are known without reading it,
 * and chunks are collected once no kept version needs them. (One table, not four: every table is
 * a column family the store opens, flushes and checkpoints on its own.)
 *
 * <p>Retention runs in apply, a bounded number of versions per entry: versions older than the
 * retention period (or a purge) go, then the oldest while the history is over its cap; versions
 * that ended more than a day ago are thinned to the last of each hour, more than a week ago to the
 * last of each day (Syncthing's staggered versioning, by the time a version was replaced).
 */
final class History {
    static final long HOUR = 3_600_000L, DAY = 24 * HOUR;
    static final int DEFAULT_DAYS = 30;
    /** The cap relative to the folder is never below this. */
    static final long MIN_AUTO_BYTES = 1L << 30;
    /** Versions one entry may expire, drop or thin: apply stays short; a tick does more. */
    static final int SWEEP_PER_ENTRY = 256, SWEEP_PER_TICK = 16_384;
    /** Retention runs at most once a second of committed time, unless ticked. */
    static final long SWEEP_EVERY = 1_000;

    static final String TABLE = "index.history";
    /** The first byte of each kind of row. */
    private static final byte VERSION = 'v', BY_TIME = 't', DELETION = 'x';
    private static final String CHUNK = "c";
    static final String DAYS = "index.history.days", MAX_BYTES = "index.history.max-bytes", BYTES = "index.history.bytes",
            COUNT = "index.history.count", PURGED = "index.history.purged", SWEPT = "index.history.swept",
            THIN_HOURLY = "index.history.thin-hourly", THIN_DAILY = "index.history.thin-daily";
    static final List<String> TABLES = List.of(TABLE);
    static final List<String> META_KEYS = List.of(DAYS, MAX_BYTES, BYTES, COUNT, PURGED, SWEPT, THIN_HOURLY, THIN_DAILY);

    /** The history's committed settings and totals. */
    record Counters(int days, long maxBytes, long bytes, long count, long purgedBefore, long sweptAt) {}

    /** How many kept versions reference a chunk, and its length. */
    private record ChunkRefs(long refs, long size) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putLong(refs).putLong(size).array();
        }

        static ChunkRefs decode(byte[] b) {
            ByteBuffer in = ByteBuffer.wrap(b);
            return new ChunkRefs(in.getLong(), in.getLong());
        }
    }

    private final Store store;
    private final Table rows, byTime, trash;
    private final Table meta;
    private final CachedTable<ChunkRefs> chunkRefs;
    private volatile Counters committed;
    private Counters working;

    History(Store store) {
        this.store = store;
        Table table = store.table(TABLE);
        rows = table;
        byTime = table;
        trash = table;
        meta = store.meta();
        chunkRefs = new CachedTable<>(store, table, ChunkRefs::decode, ChunkRefs::encode, v -> false, 0);
        load();
    }

    /** Whether a kept version references {@code chunk} (committed state). */
    boolean hasChunk(String chunk) {
        return store.get(rows, Keys.of(CHUNK + chunk)) != null;
    }

    void load() {
        chunkRefs.clear();
        committed = new Counters((int) store.getLong(meta, DAYS, DEFAULT_DAYS), store.getLong(meta, MAX_BYTES, 0),
                store.getLong(meta, BYTES, 0), store.getLong(meta, COUNT, 0), store.getLong(meta, PURGED, 0),
                store.getLong(meta, SWEPT, 0));
    }

    Counters committed() {
        return committed;
    }

    // ---------------------------------------------------------------- apply (under the index's lock)

    void begin() {
        working = committed;
    }

    void commit(Batch batch) {
        Counters w = working;
        batch.putLong(meta, DAYS, w.days()).putLong(meta, MAX_BYTES, w.maxBytes()).putLong(meta, BYTES, w.bytes())
                .putLong(meta, COUNT, w.count()).putLong(meta, PURGED, w.purgedBefore()).putLong(meta, SWEPT, w.sweptAt());
    }

    void committedBatch() {
        chunkRefs.committed();
        committed = working;
    }

    void abandoned() {
        chunkRefs.abandoned();
        working = null;
    }

    boolean enabled() {
        return working.days() > 0;
    }

    /** Whether any version is kept (also after history was turned off: those still have to go). */
    boolean holdsAny() {
        return working.count() > 0;
    }

    /**
     * Keeps {@code before}, which stops being current at {@code path} at {@code now}. A chunk counts
     * towards the history's bytes while kept versions reference it and no current file does
     * ({@code live}): the chunks a current file still holds cost the history nothing.
     */
    void retire(Batch batch, String path, Entry before, long now, String by, Ending ending, String movedTo,
                java.util.function.Predicate<String> live) {
        if (!enabled()) return;
        long version = before.version();
        batch.put(rows, rowKey(path, now, version), encodeRow(before, by, ending, movedTo));
        batch.put(byTime, timeKey(now, version, path), new byte[0]);
        if (ending == Ending.DELETED) batch.put(trash, trashKey(now, version, path), new byte[0]);
        List<String> cs = before.chunks();
        for (int i = 0; i < cs.size(); i++) {
            ChunkRefs r = chunkRefs.get(CHUNK + cs.get(i));
            long size = chunkSize(before, i);
            if (r == null && !live.test(cs.get(i))) add(size, 0);
            chunkRefs.put(batch, CHUNK + cs.get(i), new ChunkRefs(r == null ? 1 : r.refs() + 1, size));
        }
        add(0, 1);
    }

    /** Changes the settings ({@code -1}: unchanged) and the purge point. */
    void configure(int days, long maxBytes, long purgeBefore) {
        Counters w = working;
        working = new Counters(days >= 0 ? days : w.days(), maxBytes >= 0 ? maxBytes : w.maxBytes(), w.bytes(), w.count(),
                Math.max(w.purgedBefore(), purgeBefore), w.sweptAt());
    }

    /** Whether retention is due at {@code now}: once a second of committed time. */
    boolean sweepDue(long now) {
        return now - working.sweptAt() >= SWEEP_EVERY;
    }

    /**
     * Expires, caps and thins at most {@code budget} versions at committed time {@code now}, given
     * the bytes of the current files ({@code folderBytes}, for a cap relative to them). Returns
     * whether work was left for later.
     */
    boolean sweep(Batch batch, long now, long folderBytes, int budget, java.util.function.Predicate<String> live) {
        Counters w = working;
        working = new Counters(w.days(), w.maxBytes(), w.bytes(), w.count(), w.purgedBefore(), now);
        int[] left = {budget};
        // Keys are gathered first and dropped after: a batch's cursor must not see the batch change under it.
        byte[] cutoff = timeKey(Math.max(restorableSince(working, now), 0), 0, "");
        for (byte[] k : keys(batch, byTime, null, cutoff, left[0])) {
            drop(batch, k, live);
            left[0]--;
        }
        long cap = cap(working, folderBytes);
        byte[] from = null;
        while (left[0] > 0 && working.bytes() > cap) {
            List<byte[]> oldest = keys(batch, byTime, from, null, Math.min(left[0], 1024));
            if (oldest.isEmpty()) break;
            for (byte[] k : oldest) {
                if (working.bytes() <= cap) break;
                drop(batch, k, live);
                left[0]--;
                from = k;
            }
        }
        thin(batch, THIN_HOURLY, now - DAY, HOUR, left, live);
        thin(batch, THIN_DAILY, now - 7 * DAY, DAY, left, live);
        return left[0] <= 0;
    }

    /** At most {@code max} keys of {@code table} from {@code from} (exclusive; null: the first) up to {@code end} (exclusive; null: the last). */
    private static List<byte[]> keys(Batch batch, Table table, byte[] from, byte[] end, int max) {
        List<byte[]> out = new ArrayList<>();
        try (Cursor c = batch.cursor(table, from == null ? new byte[] {BY_TIME} : from, end == null ? new byte[] {BY_TIME + 1} : end)) {
            while (out.size() < max && c.next()) {
                if (from == null || !Arrays.equals(c.key(), from)) out.add(c.key());
            }
        }
        return out;
    }

    /**
     * Walks the versions that ended before {@code olderThan}, from where the last walk stopped, and
     * drops each one followed by a later version of its path that ended in the same {@code bucket}:
     * the last version of every hour (or day) stays.
     */
    private void thin(Batch batch, String cursorKey, long olderThan, long bucket, int[] left, java.util.function.Predicate<String> live) {
        if (left[0] <= 0) return;
        byte[] after = batch.get(meta, Keys.of(cursorKey));
        List<byte[]> walked = keys(batch, byTime, after, timeKey(Math.max(olderThan, 0), 0, ""), left[0]);
        if (walked.isEmpty()) return;
        List<byte[]> superseded = new ArrayList<>();
        for (byte[] k : walked) {
            long endedAt = endedAtOfTimeKey(k);
            String path = pathOfTimeKey(k);
            byte[] next = nextRowOfPath(batch, path, rowKey(path, endedAt, versionOfTimeKey(k)));
            if (next != null && endedAtOfRowKey(next, path) / bucket == endedAt / bucket) superseded.add(k);
        }
        left[0] -= walked.size();
        superseded.forEach(k -> drop(batch, k, live));
        batch.put(meta, Keys.of(cursorKey), walked.get(walked.size() - 1));
    }

    /** A current file references {@code chunk} now, and none did before: if kept versions do, it stops costing the history. */
    void liveGained(String chunk) {
        if (!holdsAny()) return;
        ChunkRefs r = chunkRefs.get(CHUNK + chunk);
        if (r != null) add(-r.size(), 0);
    }

    /** No current file references {@code chunk} any more: if kept versions do, it costs the history from now. */
    void liveLost(String chunk) {
        if (!holdsAny()) return;
        ChunkRefs r = chunkRefs.get(CHUNK + chunk);
        if (r != null) add(r.size(), 0);
    }

    /** Reads in one call the chunk references the ops of an entry will look up. */
    void prefetchChunks(java.util.Collection<String> chunks) {
        if (holdsAny()) chunkRefs.prefetch(chunks.stream().map(c -> CHUNK + c).toList());
    }

    /** Drops the version whose by-time key is {@code timeKey}, and releases its chunks. */
    private void drop(Batch batch, byte[] timeKey, java.util.function.Predicate<String> live) {
        long endedAt = endedAtOfTimeKey(timeKey);
        long version = versionOfTimeKey(timeKey);
        String path = pathOfTimeKey(timeKey);
        byte[] rowKey = rowKey(path, endedAt, version);
        byte[] value = batch.get(rows, rowKey);
        batch.delete(byTime, timeKey);
        batch.delete(rows, rowKey);
        batch.delete(trash, trashKey(endedAt, version, path));
        if (value == null) return;
        Entry e = decodeRow(path, value, endedAt).entry();
        List<String> cs = e.chunks();
        for (int i = 0; i < cs.size(); i++) {
            ChunkRefs r = chunkRefs.get(CHUNK + cs.get(i));
            if (r == null) continue;
            if (r.refs() <= 1) {
                chunkRefs.delete(batch, CHUNK + cs.get(i));
                if (!live.test(cs.get(i))) add(-r.size(), 0);
            } else {
                chunkRefs.put(batch, CHUNK + cs.get(i), new ChunkRefs(r.refs() - 1, r.size()));
            }
        }
        add(0, -1);
    }

    private void add(long bytes, long count) {
        Counters w = working;
        working = new Counters(w.days(), w.maxBytes(), w.bytes() + bytes, w.count() + count, w.purgedBefore(), w.sweptAt());
    }

    /** The versions of {@code path}, in the order they ended (oldest first), as the batch sees them. */
    List<HistoryVersion> versionsOf(Batch batch, String path) {
        List<HistoryVersion> out = new ArrayList<>();
        byte[] from = pathPrefix(path);
        try (Cursor c = batch.cursor(rows, from, Keys.prefixEnd(from))) {
            while (c.next()) out.add(decodeRow(c.key(), c.value()));
        }
        return out;
    }

    /** Cursor over the versions of every path at or under {@code prefix} after path {@code after}, in path order, as the batch sees them. */
    Cursor subtree(Batch batch, String prefix, String after) {
        return batch.cursor(rows, subtreeStart(prefix, after), subtreeEnd(prefix));
    }

    // ---------------------------------------------------------------- reads (any thread)

    List<HistoryVersion> versionsOf(Snapshot s, String path) {
        List<HistoryVersion> out = new ArrayList<>();
        byte[] from = pathPrefix(path);
        try (Cursor c = s.cursor(rows, from, Keys.prefixEnd(from))) {
            while (c.next()) out.add(decodeRow(c.key(), c.value()));
        }
        return out;
    }

    /**
     * Deletions at or under {@code prefix} whose path holds nothing now ({@code present}), newest
     * first, each path once (its latest deletion), after {@code afterCursor}; reads a bounded number
     * of deletions per call.
     */
    List<HistoryVersion> trash(Snapshot s, String prefix, String afterCursor, int limit, java.util.function.Predicate<String> present) {
        List<HistoryVersion> out = new ArrayList<>();
        byte[] from = null;
        if (afterCursor != null) {
            String[] parts = afterCursor.split(":", 3);
            if (parts.length != 3) throw new IllegalArgumentException("not a trash cursor: " + afterCursor);
            try {
                from = trashKey(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a trash cursor: " + afterCursor);
            }
        }
        Set<String> seen = new HashSet<>();
        int examined = 0;
        try (Cursor c = s.cursor(trash, from == null ? new byte[] {DELETION} : from, new byte[] {DELETION + 1})) {
            while (out.size() < limit && examined < 100_000 && c.next()) {
                byte[] k = c.key();
                if (from != null && Arrays.equals(k, from)) continue;
                examined++;
                ByteBuffer b = ByteBuffer.wrap(k, 1, 16);
                long endedAt = Long.MAX_VALUE - b.getLong();
                long version = Long.MAX_VALUE - b.getLong();
                String path = new String(k, 17, k.length - 17, StandardCharsets.UTF_8);
                if (!under(path, prefix) || !seen.add(path) || present.test(path)) continue;
                byte[] v = s.get(rows, rowKey(path, endedAt, version));
                if (v != null) out.add(decodeRow(path, v, endedAt));
            }
        }
        return out;
    }

    static boolean under(String path, String prefix) {
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    // ---------------------------------------------------------------- settings

    static long cap(Counters c, long folderBytes) {
        return c.maxBytes() > 0 ? c.maxBytes() : Math.max(MIN_AUTO_BYTES, folderBytes);
    }

    static long restorableSince(Counters c, long now) {
        long byAge = c.days() <= 0 ? now : now - c.days() * DAY;
        return Math.max(byAge, c.purgedBefore());
    }

    // ---------------------------------------------------------------- keys and rows

    /** {@code v path NUL}: before every version of {@code path} (no path holds a NUL). */
    static byte[] pathPrefix(String path) {
        byte[] p = Keys.of(path);
        return ByteBuffer.allocate(p.length + 2).put(VERSION).put(p).put((byte) 0).array();
    }

    static byte[] rowKey(String path, long endedAt, long version) {
        byte[] p = Keys.of(path);
        return ByteBuffer.allocate(1 + p.length + 1 + 16).put(VERSION).put(p).put((byte) 0).putLong(endedAt).putLong(version).array();
    }

    private static long endedAtOfRowKey(byte[] key, String path) {
        return ByteBuffer.wrap(key, 1 + Keys.of(path).length + 1, 8).getLong();
    }

    static byte[] timeKey(long endedAt, long version, String path) {
        byte[] p = Keys.of(path);
        return ByteBuffer.allocate(17 + p.length).put(BY_TIME).putLong(endedAt).putLong(version).put(p).array();
    }

    private static long endedAtOfTimeKey(byte[] k) {
        return ByteBuffer.wrap(k, 1, 8).getLong();
    }

    private static long versionOfTimeKey(byte[] k) {
        return ByteBuffer.wrap(k, 9, 8).getLong();
    }

    private static String pathOfTimeKey(byte[] k) {
        return new String(k, 17, k.length - 17, StandardCharsets.UTF_8);
    }

    static byte[] trashKey(long endedAt, long version, String path) {
        byte[] p = Keys.of(path);
        return ByteBuffer.allocate(17 + p.length).put(DELETION).putLong(Long.MAX_VALUE - endedAt)
                .putLong(Long.MAX_VALUE - version).put(p).array();
    }

    /** Where the rows of the paths at or under {@code prefix} begin, after path {@code after} when given. */
    private static byte[] subtreeStart(String prefix, String after) {
        byte[] start = prefixed(prefix);
        if (after == null) return start;
        byte[] past = Keys.prefixEnd(pathPrefix(after)); // after every row of `after` itself
        return Arrays.compareUnsigned(past, start) > 0 ? past : start;
    }

    /** Past the rows of {@code prefix} and everything under it ("prefix/..." sorts before "prefix0"). */
    private static byte[] subtreeEnd(String prefix) {
        return prefix.isEmpty() ? new byte[] {VERSION + 1} : prefixed(prefix + "0");
    }

    /** {@code v} and the bytes of {@code s}. */
    private static byte[] prefixed(String s) {
        byte[] p = Keys.of(s);
        return ByteBuffer.allocate(1 + p.length).put(VERSION).put(p).array();
    }

    private byte[] nextRowOfPath(Batch batch, String path, byte[] rowKey) {
        byte[] prefix = pathPrefix(path);
        try (Cursor c = batch.cursor(rows, rowKey, Keys.prefixEnd(prefix))) {
            while (c.next()) {
                if (!Arrays.equals(c.key(), rowKey)) return c.key();
            }
        }
        return null;
    }

    private static long chunkSize(Entry e, int i) {
        return Math.min(Hashing.CHUNK_SIZE, e.size() - (long) i * Hashing.CHUNK_SIZE);
    }

    static byte[] encodeRow(Entry e, String by, Ending ending, String movedTo) {
        byte[] entry = IndexTables.encode(e);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(entry.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(entry.length);
            out.write(entry);
            out.writeUTF(by == null ? "" : by);
            out.writeByte(ending.ordinal());
            out.writeBoolean(movedTo != null);
            if (movedTo != null) out.writeUTF(movedTo);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    /** The version a row holds, its path and end time read from its key. */
    static HistoryVersion decodeRow(byte[] key, byte[] value) {
        int nul = 1;
        while (key[nul] != 0) nul++;
        String path = new String(key, 1, nul - 1, StandardCharsets.UTF_8);
        return decodeRow(path, value, ByteBuffer.wrap(key, nul + 1, 8).getLong());
    }

    static HistoryVersion decodeRow(String path, byte[] value, long endedAt) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int n = in.readInt();
            if (n < 0 || n > value.length) throw new IOException("bad entry length " + n);
            Entry entry = IndexTables.decode(in.readNBytes(n));
            String by = in.readUTF();
            int ending = in.readByte();
            if (ending < 0 || ending >= Ending.values().length) throw new IOException("bad ending " + ending);
            String movedTo = in.readBoolean() ? in.readUTF() : null;
            return new HistoryVersion(path, entry, endedAt, by.isEmpty() ? null : by, Ending.values()[ending], movedTo);
        } catch (IOException e) {
            throw new UncheckedIOException("a corrupt history row for " + path, e);
        }
    }
}
