package io.pickbox.store.bench;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Path;

/**
 * RocksDB with its write-ahead log unsynced per batch, a bounded block cache holding the index and
 * filter blocks too, and a checkpoint made of hard links (the Ozone way).
 */
final class RocksCandidate implements Candidate {
    static {
        RocksDB.loadLibrary();
    }

    private final LRUCache cache = new LRUCache(32L << 20);
    private final Options options;
    private final RocksDB db;
    private final WriteOptions write = new WriteOptions().setSync(false);

    RocksCandidate(Path dir) throws IOException {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        options = new Options().setCreateIfMissing(true)
                .setTableFormatConfig(table)
                .setWriteBufferSize(16L << 20)
                .setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxOpenFiles(256);
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void apply(byte[][] keys, byte[][] values, int from, int to) {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = from; i < to; i++) batch.put(keys[i], values[i]);
            db.write(write, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long page(byte[] after, int limit) {
        long sum = 0;
        Snapshot snap = db.getSnapshot();
        try (ReadOptions ro = new ReadOptions().setSnapshot(snap);
             RocksIterator it = db.newIterator(ro)) {
            it.seek(after);
            if (it.isValid() && java.util.Arrays.equals(it.key(), after)) it.next();
            for (int n = 0; n < limit && it.isValid(); n++, it.next()) {
                sum += it.key().length + it.value().length;
            }
        } finally {
            db.releaseSnapshot(snap);
        }
        return sum;
    }

    @Override
    public void checkpoint(Path dir) throws IOException {
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(dir.toString());
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        Fsync.tree(dir);
    }

    @Override
    public void close() {
        db.close();
        options.close();
        cache.close();
        write.close();
    }
}
