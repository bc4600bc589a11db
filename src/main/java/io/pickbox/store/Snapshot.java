package io.pickbox.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The store as it was at one instant, across every table: readers see no batch applied after it
 * was taken, and no part of one. Must be closed (the store keeps what it needs until then).
 */
public final class Snapshot implements AutoCloseable {
    private final Store store;
    private final org.rocksdb.Snapshot snapshot;
    private final ReadOptions options;
    private boolean closed;

    Snapshot(Store store, org.rocksdb.Snapshot snapshot) {
        this.store = store;
        this.snapshot = snapshot;
        this.options = new ReadOptions().setSnapshot(snapshot);
    }

    /** The value of {@code key}, or null. */
    public byte[] get(Table table, byte[] key) {
        open();
        return store.guard(() -> {
            try {
                return store.db().get(table.handle, options, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read " + table, e);
            }
        });
    }

    /** A long stored with {@link Batch#putLong}, or {@code missing}. */
    public long getLong(Table table, String key, long missing) {
        byte[] v = get(table, Keys.of(key));
        return v == null ? missing : Keys.toLong(v);
    }

    /** Every entry from {@code from} (inclusive; null for the first) in key order. */
    public Cursor cursor(Table table, byte[] from) {
        return cursor(table, from, null);
    }

    /** Entries from {@code from} (inclusive) to {@code end} (exclusive; null for no bound). */
    public Cursor cursor(Table table, byte[] from, byte[] end) {
        open();
        return store.register(new Cursor(store, store.guard(() -> store.db().newIterator(table.handle, options)),
                from, end, null));
    }

    /** Entries whose key starts with {@code prefix}, in key order. */
    public Cursor prefix(Table table, byte[] prefix) {
        return cursor(table, prefix, Keys.prefixEnd(prefix));
    }

    /**
     * Up to {@code limit} entries strictly after {@code after} (null: from the first), in key order:
     * the next page of a listing whose last key was {@code after}.
     */
    public List<Entry> page(Table table, byte[] after, int limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit " + limit);
        List<Entry> page = new ArrayList<>(Math.min(limit, 1024));
        try (Cursor c = cursor(table, after)) {
            while (page.size() < limit && c.next()) {
                byte[] key = c.key();
                if (after != null && Arrays.equals(key, after)) continue;
                page.add(new Entry(key, c.value()));
            }
        }
        return page;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        store.closing(this, () -> {
            options.close();
            store.db().releaseSnapshot(snapshot);
        });
    }

    private void open() {
        if (closed) throw new StoreException("snapshot closed");
    }
}
