package io.pickbox.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Writes to any tables, applied all together or not at all by {@link #commit()}. Reads through a
 * batch see the store with the batch's own writes on top, so that applying several operations in
 * one batch gives what applying them one by one would.
 */
public final class Batch implements AutoCloseable {
    private final Store store;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();
    private boolean done;

    Batch(Store store) {
        this.store = store;
    }

    public Batch put(Table table, byte[] key, byte[] value) {
        open();
        store.run(() -> {
            try {
                batch.put(table.handle, key, value);
            } catch (RocksDBException e) {
                throw new StoreException("cannot add to a batch", e);
            }
        });
        return this;
    }

    public Batch putLong(Table table, String key, long value) {
        return put(table, Keys.of(key), Keys.ofLong(value));
    }

    public Batch delete(Table table, byte[] key) {
        open();
        store.run(() -> {
            try {
                batch.delete(table.handle, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot add to a batch", e);
            }
        });
        return this;
    }

    /** The value of {@code key} with this batch's writes applied, or null. */
    public byte[] get(Table table, byte[] key) {
        open();
        return store.guard(() -> {
            try {
                return batch.getFromBatchAndDB(store.db(), table.handle, readOptions, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read " + table, e);
            }
        });
    }

    /** Entries from {@code from} (inclusive) to {@code end} (exclusive; null for no bound), with this batch's writes applied. */
    public Cursor cursor(Table table, byte[] from, byte[] end) {
        open();
        return store.register(new Cursor(store, store.guard(() -> batch.newIteratorWithBase(table.handle,
                store.db().newIterator(table.handle, readOptions), readOptions)), from, end, null));
    }

    /** Number of writes in the batch. */
    public int size() {
        return store.guard(batch::count);
    }

    /** Applies every write atomically; the batch cannot be used afterwards. */
    public void commit() {
        open();
        store.write(batch);
        close();
    }

    /** Drops the batch unless committed. */
    @Override
    public void close() {
        if (done) return;
        done = true;
        store.closing(this, () -> {
            readOptions.close();
            batch.close();
        });
    }

    private void open() {
        if (done) throw new StoreException("batch already committed or closed");
    }
}
