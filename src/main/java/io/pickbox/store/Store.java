package io.pickbox.store;

import io.pickbox.os.Durability;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * An embedded, crash-safe, transactional key/value store in one directory (RocksDB underneath):
 * named tables with ordered keys, atomic batches across tables, consistent snapshots for readers
 * while batches are applied, and consistent durable checkpoints.
 *
 * <p>Batches are written to the store's log without an fsync each: the Raft log is the durable
 * record and the store records which of its entries it holds (in {@link #meta()}), so a power cut
 * costs at most re-applying entries, and a process killed at any point loses nothing. After a
 * crash the store reopens at a batch boundary. {@link #sync()} and {@link #checkpoint} are the
 * durability points.
 */
public final class Store implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** Holds values such as the applied Raft index, written in the same batches as the data they describe. */
    public static final String META = "meta";

    static final String DEFAULT_FAMILY = new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8);
    private static final String INSTALLING = ".installing";

    private final Path dir;
    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions tableOptions;
    private final WriteOptions writeOptions = new WriteOptions().setSync(false);
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Set<AutoCloseable> open = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Native calls on a closed store crash the JVM: every call holds the read side, close the write side. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private Store(Path dir, StoreOptions options) throws IOException {
        this.dir = dir;
        // few shards: a shard is the largest block the cache can keep. Half of it reserved for index and
        // filter blocks: data blocks streaming through a cache far smaller than the tables would evict
        // them, and every read would reload an index.
        cache = new LRUCache(options.blockCacheBytes(), 2, false, 0.5);
        writeBuffers = new WriteBufferManager(options.memtableBytes(), cache);
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // a batch spanning tables stays whole in every flush and so in every checkpoint
                .setAtomicFlush(true)
                .setWriteBufferManager(writeBuffers)
                // a torn log tail (power cut) ends recovery at the last whole batch
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxTotalWalSize(4 * options.memtableBytes())
                .setMaxBackgroundJobs(2)
                .setMaxOpenFiles(512)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setMaxLogFileSize(1L << 20)
                .setStatsDumpPeriodSec(0);
        tableOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig()
                        .setBlockCache(cache)
                        // index and filter blocks in the bounded cache, not beside it per open file
                        .setCacheIndexAndFilterBlocks(true)
                        .setCacheIndexAndFilterBlocksWithHighPriority(true)
                        .setPinL0FilterAndIndexBlocksInCache(true)
                        // indexes and filters in small partitions: a read loads the few it needs, not a table's whole index
                        .setIndexType(IndexType.kTwoLevelIndexSearch)
                        .setPartitionFilters(true)
                        .setPinTopLevelIndexAndFilter(true)
                        // a point read touches one data block, not one per level
                        .setFilterPolicy(new BloomFilter(10)))
                .setWriteBufferSize(options.memtableBytesPerTable())
                .setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
        try {
            // its own entry durable in its parent: RocksDB syncs what it writes inside
            Durability.current().createDirectories(dir);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : existingTables(dir)) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), tableOptions));
            }
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            for (int i = 0; i < descriptors.size(); i++) {
                String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
                if (!name.equals(DEFAULT_FAMILY)) tables.put(name, new Table(name, handles.get(i)));
            }
        } catch (RocksDBException e) {
            releaseOptions();
            throw new IOException("cannot open the store in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Opens the store in {@code dir}, creating it if absent, and finishing or undoing a checkpoint install a crash interrupted. */
    public static Store open(Path dir, StoreOptions options) throws IOException {
        recoverInstall(dir);
        return new Store(dir, options);
    }

    /**
     * Opens the store in {@code dir} like {@link #open}; one that RocksDB finds damaged (torn by a
     * power cut, altered on disk) is moved aside, kept for a look, and an empty store is made in its
     * place: what it held comes back from elsewhere (the index from a checkpoint, the Raft log or the
     * leader; the node's own tables from its folder and its packs). The repair is reported
     * ({@link StateRepairs}).
     */
    public static Store openRepairing(Path dir, StoreOptions options) throws IOException {
        try {
            return open(dir, options);
        } catch (IOException e) {
            if (!(e.getCause() instanceof RocksDBException r) || !isDamage(r)) throw e;
            Durable.moveAside(dir, r.getMessage(),
                    "an empty store replaces it: the index comes back from a checkpoint, the Raft log or the leader, "
                            + "the folder is compared with it again and the packs are read anew");
            return open(dir, options);
        }
    }

    /** Damage to the store's files, as opposed to a store in use by another process or a disk refusing access. */
    static boolean isDamage(RocksDBException e) {
        org.rocksdb.Status status = e.getStatus();
        if (status == null) return false;
        String message = String.valueOf(e.getMessage());
        return switch (status.getCode()) {
            case Corruption -> true;
            // a file the manifest names is missing, or the manifest itself
            case IOError, NotFound -> message.contains("No such file") && !message.contains("LOCK");
            default -> false;
        };
    }

    /**
     * Makes the checkpoint in {@code checkpoint} the store in {@code dir} (replacing what is there,
     * crash-safe: a crash leaves either the old store or the new one) and opens it. The checkpoint
     * directory is consumed; it must be on the same file system as {@code dir}.
     */
    public static Store openCheckpoint(Path checkpoint, Path dir, StoreOptions options) throws IOException {
        recoverInstall(dir);
        Path old = sibling(dir, ".old");
        Path installing = sibling(dir, INSTALLING);
        Durable.deleteTree(old);
        Durable.deleteTree(installing);
        // the marker names the new copy: found at start-up without the store, it means finish the install
        Durable.move(checkpoint, installing);
        if (Files.exists(dir)) Durable.move(dir, old);
        Durable.move(installing, dir);
        Durable.deleteTree(old);
        return new Store(dir, options);
    }

    /** The table named {@code name}, created empty on first use. */
    public synchronized Table table(String name) {
        if (name.equals(DEFAULT_FAMILY)) throw new IllegalArgumentException("reserved table name " + name);
        Table t = tables.get(name);
        if (t != null) return t;
        ColumnFamilyHandle handle = guard(() -> {
            try {
                return db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), tableOptions));
            } catch (RocksDBException e) {
                throw new StoreException("cannot create " + name, e);
            }
        });
        handles.add(handle);
        t = new Table(name, handle);
        tables.put(name, t);
        return t;
    }

    public Table meta() {
        return table(META);
    }

    /** A new batch; nothing it holds is visible until {@link Batch#commit()}. */
    public Batch batch() {
        ensureOpen();
        return register(new Batch(this));
    }

    /** The store as it is now, consistent across tables, until closed. */
    public Snapshot snapshot() {
        return register(guard(() -> new Snapshot(this, db.getSnapshot())));
    }

    /** The latest value of {@code key}, or null. */
    public byte[] get(Table table, byte[] key) {
        return guard(() -> {
            try {
                return db.get(table.handle, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read " + table, e);
            }
        });
    }

    /** The latest values of {@code keys} (null where absent), in their order: one call for many point reads. */
    public List<byte[]> getAll(Table table, List<byte[]> keys) {
        if (keys.isEmpty()) return List.of();
        return guard(() -> {
            try {
                return db.multiGetAsList(Collections.nCopies(keys.size(), table.handle), keys);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read " + table, e);
            }
        });
    }

    /**
     * Empties {@code tables} and deletes {@code keys} from {@code table}, all in one atomic write: a
     * crash leaves all of it done or none. A table is dropped as one range, not row by row, so this
     * costs the same for a million rows as for ten.
     */
    public void clear(List<Table> tables, Table table, List<byte[]> keys) {
        run(() -> {
            try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
                for (Table t : tables) {
                    byte[] last = lastKey(t);
                    // the end of a range is exclusive: the smallest key after the last one is that key and a zero byte
                    if (last != null) batch.deleteRange(t.handle, new byte[0], java.util.Arrays.copyOf(last, last.length + 1));
                }
                for (byte[] k : keys) batch.delete(table.handle, k);
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new StoreException("cannot clear tables in " + dir, e);
            }
        });
    }

    private byte[] lastKey(Table table) {
        try (org.rocksdb.RocksIterator it = db.newIterator(table.handle)) {
            it.seekToLast();
            return it.isValid() ? it.key() : null;
        }
    }

    public long getLong(Table table, String key, long missing) {
        byte[] v = get(table, Keys.of(key));
        return v == null ? missing : Keys.toLong(v);
    }

    /** Makes every committed batch durable (the store's log is fsynced). */
    public void sync() {
        run(() -> {
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                throw new StoreException("cannot sync the store", e);
            }
        });
    }

    /**
     * Writes the tables' memory buffers to files when they hold at least {@code minBytes}, so that a
     * node killed afterwards does not replay them from the log when it starts again (RocksDB reads
     * its whole log back at open: 6 MB of it cost a restart 0.1 s). Returns whether it flushed.
     */
    public boolean flushMemtables(long minBytes) {
        return guard(() -> {
            try {
                if (db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables") < minBytes) return false;
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(flush, handles);
                }
                return true;
            } catch (RocksDBException e) {
                throw new StoreException("cannot flush the store", e);
            }
        });
    }

    /**
     * Writes a consistent copy of the whole store to {@code target}, which must not exist, made
     * durable (files and directories fsynced) before this returns. Batches committed meanwhile are
     * either wholly in it or not at all. Cheap: the store's immutable files are hard-linked, not copied.
     */
    public void checkpoint(Path target) throws IOException {
        checkpoint(target, null);
    }

    /**
     * Like {@link #checkpoint(Path)}, but the copy holds only the tables whose names start with
     * {@code namespace}, and of the meta table only the keys that do: what another node may take in,
     * without this node's own tables. The others are dropped from the copy before it is made durable
     * and moved to {@code target}, so no reader ever sees them there.
     */
    public void checkpoint(Path target, String namespace) throws IOException {
        if (Files.exists(target)) throw new IOException("checkpoint target exists: " + target);
        Path tmp = sibling(target, ".tmp");
        Durable.deleteTree(tmp);
        Files.createDirectories(tmp.getParent());
        lock.readLock().lock();
        try {
            ensureOpen();
            try (Checkpoint cp = Checkpoint.create(db)) {
                cp.createCheckpoint(tmp.toString());
            } catch (RocksDBException e) {
                throw new IOException("cannot checkpoint the store: " + e.getMessage(), e);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (namespace != null) CheckpointFilter.retainOnly(tmp, namespace);
        Durable.syncTree(tmp);
        Durable.move(tmp, target);
    }

    /** The names of the tables of the store (or checkpoint) in {@code dir}, read from its manifest without opening it. */
    public static List<String> tablesIn(Path dir) throws IOException {
        try {
            List<String> names = existingTables(dir);
            return List.copyOf(names.subList(1, names.size()));
        } catch (RocksDBException e) {
            throw new IOException("cannot list the tables in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Closes every open snapshot, cursor and batch, makes the log durable and releases the store. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) return;
            List<AutoCloseable> left;
            synchronized (open) {
                left = new ArrayList<>(open);
            }
            closed = true;
            for (AutoCloseable c : left) closeQuietly(c);
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                // closing anyway: the batches are in the log the OS holds, only a power cut could lose them
            }
            for (ColumnFamilyHandle h : handles) h.close();
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw new StoreException("cannot close the store in " + dir, e);
            } finally {
                releaseOptions();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    RocksDB db() {
        return db;
    }

    void write(org.rocksdb.WriteBatchWithIndex batch) {
        run(() -> {
            try {
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new StoreException("cannot write to the store in " + dir, e);
            }
        });
    }

    <T extends AutoCloseable> T register(T resource) {
        synchronized (open) {
            open.add(resource);
        }
        return resource;
    }

    /** Releases a snapshot's, cursor's or batch's native parts, unless the store's close already did. */
    void closing(AutoCloseable resource, AutoCloseable release) {
        boolean mine;
        synchronized (open) {
            mine = open.remove(resource);
        }
        if (!mine && closed) return;
        closeQuietly(release);
    }

    <T> T guard(Supplier<T> call) {
        lock.readLock().lock();
        try {
            ensureOpen();
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    void run(Runnable call) {
        guard(() -> {
            call.run();
            return null;
        });
    }

    private void ensureOpen() {
        if (closed) throw new StoreException("store closed: " + dir);
    }

    private void releaseOptions() {
        writeOptions.close();
        dbOptions.close();
        tableOptions.close();
        writeBuffers.close();
        cache.close();
    }

    static List<String> existingTables(Path dir) throws RocksDBException {
        List<String> names = new ArrayList<>();
        names.add(DEFAULT_FAMILY);
        if (!Files.exists(dir.resolve("CURRENT"))) return names;
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                String name = new String(n, StandardCharsets.UTF_8);
                if (!name.equals(DEFAULT_FAMILY)) names.add(name);
            }
        }
        return names;
    }

    /** An install interrupted after the old store moved aside and before the new one moved in is finished. */
    private static void recoverInstall(Path dir) throws IOException {
        Path installing = sibling(dir, INSTALLING);
        Path old = sibling(dir, ".old");
        if (!Files.exists(dir) && Files.exists(installing)) Durable.move(installing, dir);
        if (!Files.exists(dir) && Files.exists(old)) Durable.move(old, dir);
        Durable.deleteTree(installing);
        Durable.deleteTree(old);
    }

    private static Path sibling(Path p, String suffix) {
        return p.toAbsolutePath().resolveSibling(p.getFileName() + suffix);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // releasing native memory: nothing to recover
        }
    }
}
