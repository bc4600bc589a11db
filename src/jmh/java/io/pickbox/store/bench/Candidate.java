package io.pickbox.store.bench;

import java.io.IOException;
import java.nio.file.Path;

/** One embedded store under test, reduced to the index's access pattern. */
interface Candidate extends AutoCloseable {

    /** Applies keys[from, to) with their values as one atomic transaction. */
    void apply(byte[][] keys, byte[][] values, int from, int to);

    byte[] get(byte[] key);

    /** Visits up to {@code limit} entries strictly after {@code after}; returns a sum so the JIT keeps the work. */
    long page(byte[] after, int limit);

    /** A consistent, durable copy of the store in {@code dir} (which does not exist yet). */
    void checkpoint(Path dir) throws IOException;

    @Override
    void close();

    static Candidate open(String engine, Path dir) throws IOException {
        return switch (engine) {
            case "lmdb" -> new LmdbCandidate(dir);
            case "rocksdb" -> new RocksCandidate(dir);
            case "mvstore" -> new MvStoreCandidate(dir);
            case "store" -> new StoreCandidate(dir);
            default -> throw new IllegalArgumentException(engine);
        };
    }

    /** Opens a checkpoint written by {@link #checkpoint} as a store. */
    static Candidate openCheckpoint(String engine, Path dir) throws IOException {
        return switch (engine) {
            case "mvstore" -> MvStoreCandidate.restore(dir);
            case "store" -> StoreCandidate.restore(dir);
            default -> open(engine, dir);
        };
    }
}
