package io.pickbox.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.Arrays;

/**
 * Walks a table in key order from a starting key, one entry at a time: nothing is materialized
 * beyond the current entry. Must be closed (it pins the files and memory it reads from).
 *
 * <pre>{@code
 * try (Cursor c = snapshot.cursor(table, from)) {
 *     while (c.next()) use(c.key(), c.value());
 * }
 * }</pre>
 */
public final class Cursor implements AutoCloseable {
    private final Store store;
    private final RocksIterator iterator;
    private final byte[] end;
    private final AutoCloseable owned;
    private boolean started;
    private boolean valid;
    private boolean closed;

    /** {@code end} is exclusive and may be null; {@code owned} is closed with the cursor and may be null. */
    Cursor(Store store, RocksIterator iterator, byte[] from, byte[] end, AutoCloseable owned) {
        this.store = store;
        this.iterator = iterator;
        this.end = end;
        this.owned = owned;
        store.run(() -> {
            if (from == null || from.length == 0) iterator.seekToFirst();
            else iterator.seek(from);
        });
    }

    /** Moves to the next entry (the first one on the first call); false once past the end. */
    public boolean next() {
        if (closed) throw new StoreException("cursor closed");
        store.run(() -> {
            if (started) iterator.next();
            started = true;
            valid = iterator.isValid();
            if (!valid) checkStatus();
            else if (end != null && Arrays.compareUnsigned(iterator.key(), end) >= 0) valid = false;
        });
        return valid;
    }

    public byte[] key() {
        current();
        return store.guard(iterator::key);
    }

    public byte[] value() {
        current();
        return store.guard(iterator::value);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        store.closing(this, () -> {
            iterator.close();
            if (owned != null) owned.close();
        });
    }

    private void current() {
        if (closed || !valid) throw new StoreException(closed ? "cursor closed" : "no current entry");
    }

    private void checkStatus() {
        try {
            iterator.status();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the store", e);
        }
    }
}
