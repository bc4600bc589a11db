package io.pickbox.store;

/**
 * The store's memory, all of it outside the Java heap and all of it bounded: the node's heap is
 * capped and its resident size must not grow with the number of files.
 *
 * @param blockCacheBytes  one LRU cache for every table's data, index and filter blocks, so that
 *                         reads cost a fixed amount of memory however large the tables grow
 * @param memtableBytes    the write buffers of all tables together, charged to the block cache so
 *                         that the two share a single bound
 * @param memtableBytesPerTable one write buffer of one table; a full buffer is flushed to a file
 */
public record StoreOptions(long blockCacheBytes, long memtableBytes, long memtableBytesPerTable) {

    /** Sized for a node holding a million files in a few hundred megabytes of resident memory. */
    public static final StoreOptions DEFAULT = new StoreOptions(32L << 20, 16L << 20, 8L << 20);

    /** For tests: small buffers so flushes and compactions happen with little data. */
    public static final StoreOptions SMALL = new StoreOptions(4L << 20, 2L << 20, 1L << 20);

    public StoreOptions {
        if (blockCacheBytes <= 0 || memtableBytes <= 0 || memtableBytesPerTable <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (memtableBytes > blockCacheBytes) {
            throw new IllegalArgumentException("the write buffers are charged to the block cache and cannot exceed it");
        }
    }
}
