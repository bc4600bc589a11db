package io.pickbox.store;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Narrows a fresh checkpoint copy to one namespace: RocksDB checkpoints the whole database, so the
 * other tables are dropped from the copy, and the other meta keys deleted and compacted away, so
 * that none of their bytes are left in its files.
 */
final class CheckpointFilter {
    private CheckpointFilter() {}

    static void retainOnly(Path dir, String namespace) throws IOException {
        byte[] prefix = namespace.getBytes(StandardCharsets.UTF_8);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (ColumnFamilyOptions tableOptions = new ColumnFamilyOptions();
             DBOptions options = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(1)
                     .setMaxOpenFiles(64).setStatsDumpPeriodSec(0)) {
            for (String name : Store.existingTables(dir)) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), tableOptions));
            }
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
            try {
                for (int i = 0; i < descriptors.size(); i++) {
                    String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
                    if (name.equals(Store.META)) {
                        retainMeta(db, handles.get(i), prefix);
                    } else if (!name.equals(Store.DEFAULT_FAMILY) && !name.startsWith(namespace)) {
                        db.dropColumnFamily(handles.get(i));
                    }
                }
            } finally {
                for (ColumnFamilyHandle h : handles) h.close();
                db.closeE();
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot narrow the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        // what opening it added, and that no reader of a checkpoint needs
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.equals("LOCK") || f.equals("LOG") || f.startsWith("LOG.old")) Files.delete(p);
            }
        }
    }

    /** Deletes the meta keys outside the namespace, then compacts the (small) table so their values are gone from its files. */
    private static void retainMeta(RocksDB db, ColumnFamilyHandle meta, byte[] prefix) throws RocksDBException {
        boolean deleted = false;
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) continue;
                db.delete(meta, key);
                deleted = true;
            }
        }
        if (!deleted) return;
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, meta);
        }
        db.compactRange(meta);
    }
}
