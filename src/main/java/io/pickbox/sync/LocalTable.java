package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.os.Durability;
import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Entry;
import io.pickbox.store.Keys;
import io.pickbox.store.Snapshot;
import io.pickbox.store.Store;
import io.pickbox.store.StoreException;
import io.pickbox.store.StoreOptions;
import io.pickbox.store.Table;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The third tree: what this node last materialized or proposed for each path (version, hash and
 * the stat it left on disk). Disk differing from it is a local edit; the index differing from it
 * is a remote change. Rows live in the node's store ({@link Store}), so the heap holds none of them.
 *
 * <p>Each change is its own batch, written without an fsync: losing the latest rows in a power cut
 * is harmless, since a path whose stat no longer matches is re-hashed and a hash equal to the
 * committed one is simply adopted. The row count and the highest version are kept in the store's
 * meta table, in the same batches as the rows they count.
 *
 * <p>Before the store, the table was an append-only journal file; it is migrated on first start.
 */
public final class LocalTable implements AutoCloseable {

    /** What this node knows of one path. {@code sha256} is null for directories. */
    public record Local(long version, String sha256, FileStat stat) {}

    static final String TABLE = "local";
    static final String COUNT = "local.count", MAX_VERSION = "local.max-version", MIGRATED = "local.migrated";
    private static final byte PUT = 1, REMOVE = 2;
    private static final FileStat.Kind[] KINDS = FileStat.Kind.values();
    /** Rows per batch when a migration or a subtree move touches many: bounds the memory a batch holds. */
    private static final int ROWS_PER_BATCH = 4096;

    private final Store store;
    private final boolean ownsStore;
    private final Table rows;
    private final Table meta;
    private long count;
    private long maxVersion;

    /** The table in {@code store}, migrating the journal at {@code legacyJournal} if one is left from an older version. */
    public LocalTable(Store store, Path legacyJournal) throws IOException {
        this(store, false, legacyJournal);
    }

    /** A table with a store of its own in {@code file}'s folder (tests, tools); migrates a journal at {@code file}. */
    public LocalTable(Path file) throws IOException {
        this(Store.open(file.resolveSibling(file.getFileName() + ".store"), StoreOptions.SMALL), true, file);
    }

    private LocalTable(Store store, boolean ownsStore, Path legacyJournal) throws IOException {
        this.store = store;
        this.ownsStore = ownsStore;
        this.rows = store.table(TABLE);
        this.meta = store.meta();
        try {
            count = store.getLong(meta, COUNT, 0);
            maxVersion = store.getLong(meta, MAX_VERSION, 0);
            migrate(legacyJournal);
        } catch (IOException | RuntimeException e) {
            if (ownsStore) store.close();
            throw e;
        }
    }

    /** Not under the table's lock: the store reads concurrently, and workers must not queue behind a sync's fsync. */
    public Local get(String path) {
        byte[] v = store.get(rows, Keys.of(path));
        return v == null ? null : decode(v);
    }

    /** Every path, in one list: prefer {@link #forEach} or {@link #page}, which hold no more than a page. */
    public synchronized List<String> paths() {
        List<String> out = new ArrayList<>((int) Math.min(count, Integer.MAX_VALUE - 8));
        forEach("", (p, l) -> out.add(p));
        return out;
    }

    /** Visits, in path order, every row whose path starts with {@code prefix} ("" for all), as of one instant. */
    public void forEach(String prefix, BiConsumer<String, Local> visitor) {
        try (Snapshot s = store.snapshot(); Cursor c = s.prefix(rows, Keys.of(prefix))) {
            while (c.next()) visitor.accept(Keys.string(c.key()), decode(c.value()));
        }
    }

    /** Up to {@code limit} paths after {@code after} (null: from the first), in path order. */
    public List<String> page(String after, int limit) {
        try (Snapshot s = store.snapshot()) {
            List<String> out = new ArrayList<>();
            for (Entry e : s.page(rows, after == null ? null : Keys.of(after), limit)) out.add(Keys.string(e.key()));
            return out;
        }
    }

    /**
     * Up to {@code limit} rows whose path starts with {@code prefix} ("" for all) and sorts after
     * {@code after} (null: from the first), in path order: one page of a walk that holds no more.
     */
    public List<Map.Entry<String, Local>> rows(String prefix, String after, int limit) {
        byte[] start = Keys.of(prefix);
        byte[] from = after != null && Arrays.compareUnsigned(Keys.of(after), start) > 0 ? Keys.of(after) : start;
        List<Map.Entry<String, Local>> out = new ArrayList<>(Math.min(Math.max(limit, 0), 1024));
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(rows, from, prefix.isEmpty() ? null : Keys.prefixEnd(start))) {
            while (out.size() < limit && c.next()) {
                if (after != null && from != start && Arrays.equals(c.key(), from)) continue;
                out.add(Map.entry(Keys.string(c.key()), decode(c.value())));
            }
        }
        return out;
    }

    public synchronized int size() {
        return (int) count;
    }

    /** The highest index version this node has ever recorded: the index must reach it before sync starts. */
    public synchronized long maxVersion() {
        return maxVersion;
    }

    public synchronized void put(String path, Local local) {
        try (Batch b = store.batch()) {
            put(b, path, local);
            commit(b);
        }
    }

    /** Records many rows, in batches of the store's size. */
    public synchronized void putAll(Map<String, Local> rows) {
        Batch b = store.batch();
        try {
            for (Map.Entry<String, Local> r : rows.entrySet()) {
                put(b, r.getKey(), r.getValue());
                b = commitIfFull(b);
            }
            if (b.size() > 0) commit(b);
        } finally {
            b.close();
        }
    }

    public synchronized void remove(String path) {
        try (Batch b = store.batch()) {
            if (!remove(b, path)) return;
            commit(b);
        }
    }

    /**
     * Re-keys every row at {@code from} or under {@code from/} to the same place under {@code to}:
     * a tree moved on disk keeps what this node knew of it (renaming a directory changes neither the
     * inode nor the times of what is inside it). Rows already at {@code to} are replaced one by one.
     * {@code root}, when not null, is the moved root's row as it is now, written instead of its old one.
     */
    public synchronized void moveSubtree(String from, String to, Local root) {
        try (Snapshot s = store.snapshot()) {
            Batch b = store.batch();
            try {
                byte[] top = s.get(rows, Keys.of(from));
                if (top != null) move(b, from, to, root != null ? root : decode(top));
                try (Cursor c = s.prefix(rows, Keys.of(from + "/"))) {
                    while (c.next()) {
                        String p = Keys.string(c.key());
                        move(b, p, to + p.substring(from.length()), decode(c.value()));
                        b = commitIfFull(b);
                    }
                }
                if (b.size() > 0) commit(b);
            } finally {
                b.close();
            }
        }
    }

    /** Makes the table durable; called periodically and on close. Not under the table's lock: writers go on while the disk flushes. */
    public void sync() throws IOException {
        try {
            store.sync();
        } catch (StoreException e) {
            throw new IOException("cannot sync the local table", e);
        }
    }

    /** Closes the store if the table opened it; a shared store is closed by its owner. */
    @Override
    public synchronized void close() throws IOException {
        if (ownsStore) store.close();
    }

    private void move(Batch b, String from, String to, Local local) {
        remove(b, from);
        put(b, to, local);
    }

    private void put(Batch b, String path, Local local) {
        byte[] key = Keys.of(path);
        if (b.get(rows, key) == null) count++;
        b.put(rows, key, encode(local));
        maxVersion = Math.max(maxVersion, local.version());
    }

    private boolean remove(Batch b, String path) {
        byte[] key = Keys.of(path);
        if (b.get(rows, key) == null) return false;
        b.delete(rows, key);
        count--;
        return true;
    }

    private void commit(Batch b) {
        b.putLong(meta, COUNT, count).putLong(meta, MAX_VERSION, maxVersion).commit();
    }

    /** A bulk change need not be one batch: commits {@code b} once it is full and goes on in a new one. */
    private Batch commitIfFull(Batch b) {
        if (b.size() < ROWS_PER_BATCH) return b;
        commit(b);
        return store.batch();
    }

    /**
     * Replays the old journal into the store in batches, then marks the migration done durably and
     * only then deletes the journal. Replaying it again after a crash midway ends in the same rows.
     */
    private void migrate(Path journal) throws IOException {
        Files.deleteIfExists(journal.resolveSibling(journal.getFileName() + ".tmp"));
        if (!Files.exists(journal)) return;
        if (store.getLong(meta, MIGRATED, 0) == 0) {
            replay(journal);
            try (Batch b = store.batch()) {
                b.putLong(meta, MIGRATED, 1);
                commit(b);
            }
            store.sync();
        }
        Files.delete(journal);
        Durability.current().forceDirectory(journal.toAbsolutePath().getParent());
    }

    private void replay(Path journal) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(journal), 1 << 16))) {
            Batch b = store.batch();
            try {
                while (true) {
                    byte type;
                    String path;
                    Local local = null;
                    try {
                        type = in.readByte();
                        path = in.readUTF();
                        if (type == PUT) local = readLocal(in);
                    } catch (EOFException end) {
                        break; // the end, or a record cut short by a crash: everything before it stands
                    }
                    if (type == PUT) put(b, path, local);
                    else remove(b, path);
                    b = commitIfFull(b);
                }
                if (b.size() > 0) commit(b);
            } finally {
                b.close();
            }
        }
    }

    private static byte[] encode(Local l) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeLocal(out, l);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Local decode(byte[] value) {
        try {
            return readLocal(new DataInputStream(new ByteArrayInputStream(value)));
        } catch (IOException e) {
            throw new StoreException("corrupt row in the local table", e);
        }
    }

    private static void writeLocal(DataOutputStream out, Local l) throws IOException {
        out.writeLong(l.version());
        out.writeBoolean(l.sha256() != null);
        if (l.sha256() != null) out.writeUTF(l.sha256());
        FileStat s = l.stat();
        out.writeByte(s.kind().ordinal());
        out.writeLong(s.size());
        out.writeLong(s.mtimeMillis());
        out.writeLong(s.inode());
        out.writeInt(s.mode());
        out.writeLong(s.ctimeNanos());
    }

    private static Local readLocal(DataInputStream in) throws IOException {
        long version = in.readLong();
        String sha = in.readBoolean() ? in.readUTF() : null;
        byte kind = in.readByte();
        if (kind < 0 || kind >= KINDS.length) throw new IOException("corrupt local table row (kind " + kind + ")");
        FileStat stat = new FileStat(KINDS[kind], in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readLong());
        return new Local(version, sha, stat);
    }
}
