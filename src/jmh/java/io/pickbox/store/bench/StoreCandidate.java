package io.pickbox.store.bench;

import io.pickbox.store.Batch;
import io.pickbox.store.Entry;
import io.pickbox.store.Snapshot;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import io.pickbox.store.Table;

import java.io.IOException;
import java.nio.file.Path;

/** Pickbox's own store layer (RocksDB with the product's settings), to check it costs what the engine does. */
final class StoreCandidate implements Candidate {
    private final Store store;
    private final Table table;

    StoreCandidate(Path dir) throws IOException {
        store = Store.open(dir, StoreOptions.DEFAULT);
        table = store.table("index");
    }

    static StoreCandidate restore(Path checkpoint) throws IOException {
        Path dir = checkpoint.resolveSibling(checkpoint.getFileName() + "-store");
        Data.delete(dir);
        Store.openCheckpoint(checkpoint, dir, StoreOptions.DEFAULT).close();
        return new StoreCandidate(dir);
    }

    @Override
    public void apply(byte[][] keys, byte[][] values, int from, int to) {
        try (Batch b = store.batch()) {
            for (int i = from; i < to; i++) b.put(table, keys[i], values[i]);
            b.commit();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        return store.get(table, key);
    }

    @Override
    public long page(byte[] after, int limit) {
        long sum = 0;
        try (Snapshot s = store.snapshot()) {
            for (Entry e : s.page(table, after.length == 0 ? null : after, limit)) sum += e.key().length + e.value().length;
        }
        return sum;
    }

    @Override
    public void checkpoint(Path dir) throws IOException {
        store.checkpoint(dir);
    }

    @Override
    public void close() {
        store.close();
    }
}
