package io.pickbox.index;

import io.pickbox.store.Batch;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.Table;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One index table as apply reads it: the writes of the batch being applied, over the committed
 * rows. Reads that reach the store are remembered for the rest of the batch, and the committed
 * rows worth keeping (the directories every new file looks up, the few origins' sequences) stay
 * in a bounded cache across batches, so that an op reads the store only for what is new to it.
 *
 * <p>Apply is the only writer of the index tables, under the index's lock. Every write goes
 * through here as well as into the batch; {@link #committed()} folds the batch's writes into the
 * cache once the batch is in the store and {@link #abandoned()} forgets them when it is not, so
 * the cache always equals the store. Anything else that rewrites the tables calls {@link #clear()}.
 */
final class CachedTable<V> {
    /** A row known to be absent. */
    private static final Object ABSENT = new Object();

    /**
     * A batch's maps past this many rows are dropped at its end rather than cleared: a HashMap keeps
     * the table one large op grew it to, and clearing and iterating it cost that size at every
     * later batch, however small.
     */
    private static final int REUSED_ROWS = 1024;

    private final Store store;
    private final Table table;
    private final Function<byte[], V> decode;
    private final Function<V, byte[]> encode;
    private final Predicate<V> keep;
    private final int capacity;

    /** The batch's own writes: values, or ABSENT for deletes. */
    private Map<String, Object> written = new HashMap<>();
    /** Committed rows read during the batch that the cache does not keep. */
    private Map<String, Object> read = new HashMap<>();
    /** Committed rows kept across batches, least recently used first. */
    private final LinkedHashMap<String, Object> kept;

    /**
     * @param keep     which committed values are worth keeping across batches (never asked about absent rows)
     * @param capacity the most rows kept across batches
     */
    CachedTable(Store store, Table table, Function<byte[], V> decode, Function<V, byte[]> encode,
                Predicate<V> keep, int capacity) {
        this.store = store;
        this.table = table;
        this.decode = decode;
        this.encode = encode;
        this.keep = keep;
        this.capacity = capacity;
        this.kept = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                return size() > CachedTable.this.capacity;
            }
        };
    }

    Table table() {
        return table;
    }

    /** The value of {@code key} with the batch's writes applied, or null. */
    V get(String key) {
        Object v = known(key);
        if (v == null) {
            byte[] bytes = store.get(table, Keys.of(key));
            v = remember(key, bytes == null ? null : decode.apply(bytes));
        }
        return value(v);
    }

    /**
     * Reads in one call to the store the committed rows of {@code keys} not known yet, so that the
     * {@link #get}s that follow find them. Changes no value any read returns.
     */
    void prefetch(Collection<String> keys) {
        List<String> missing = new ArrayList<>(new LinkedHashSet<>(keys));
        missing.removeIf(k -> known(k) != null);
        if (missing.isEmpty()) return;
        List<byte[]> rawKeys = new ArrayList<>(missing.size());
        for (String k : missing) rawKeys.add(Keys.of(k));
        List<byte[]> values = store.getAll(table, rawKeys);
        for (int i = 0; i < missing.size(); i++) {
            byte[] bytes = values.get(i);
            remember(missing.get(i), bytes == null ? null : decode.apply(bytes));
        }
    }

    void put(Batch batch, String key, V value) {
        batch.put(table, Keys.of(key), encode.apply(value));
        written.put(key, value);
    }

    void delete(Batch batch, String key) {
        batch.delete(table, Keys.of(key));
        written.put(key, ABSENT);
    }

    /** The batch is in the store: its writes become committed rows. */
    @SuppressWarnings("unchecked")
    void committed() {
        for (var w : written.entrySet()) {
            Object v = w.getValue();
            if (v != ABSENT && keep.test((V) v)) kept.put(w.getKey(), v);
            else kept.remove(w.getKey());
        }
        forgetBatch();
    }

    /** The batch was dropped: the store, and so the cache, are as they were before it. */
    void abandoned() {
        forgetBatch();
    }

    /** The table was rewritten other than through a batch here. */
    void clear() {
        forgetBatch();
        kept.clear();
    }

    private void forgetBatch() {
        written = emptied(written);
        read = emptied(read);
    }

    private static Map<String, Object> emptied(Map<String, Object> map) {
        if (map.size() > REUSED_ROWS) return new HashMap<>();
        map.clear();
        return map;
    }

    private Object known(String key) {
        Object v = written.get(key);
        if (v == null) v = kept.get(key);
        if (v == null) v = read.get(key);
        return v;
    }

    private Object remember(String key, V value) {
        if (value != null && keep.test(value)) {
            kept.put(key, value);
            return value;
        }
        Object v = value == null ? ABSENT : value;
        read.put(key, v);
        return v;
    }

    @SuppressWarnings("unchecked")
    private V value(Object v) {
        return v == ABSENT ? null : (V) v;
    }
}
