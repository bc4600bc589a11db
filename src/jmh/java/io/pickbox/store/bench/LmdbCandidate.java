package io.pickbox.store.bench;

import org.lmdbjava.CopyFlags;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * LMDB without a sync per transaction (MDB_NOSYNC: the Raft log is the durable record); a
 * checkpoint is a compacting copy from a read transaction, then fsynced.
 */
final class LmdbCandidate implements Candidate {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final ByteBuffer k = ByteBuffer.allocateDirect(511);
    private final ByteBuffer v = ByteBuffer.allocateDirect(1024);

    LmdbCandidate(Path dir) throws IOException {
        Files.createDirectories(dir);
        env = Env.create().setMapSize(4L << 30).setMaxDbs(4)
                .open(dir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NORDAHEAD);
        dbi = env.openDbi("index", DbiFlags.MDB_CREATE);
    }

    @Override
    public void apply(byte[][] keys, byte[][] values, int from, int to) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (int i = from; i < to; i++) {
                dbi.put(txn, fill(k, keys[i]), fill(v, values[i]));
            }
            txn.commit();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer found = dbi.get(txn, fill(k, key));
            if (found == null) return null;
            byte[] out = new byte[found.remaining()];
            found.get(out);
            return out;
        }
    }

    @Override
    public long page(byte[] after, int limit) {
        long sum = 0;
        int n = 0;
        try (Txn<ByteBuffer> txn = env.txnRead();
             CursorIterable<ByteBuffer> it = dbi.iterate(txn, after.length == 0 ? KeyRange.all() : KeyRange.greaterThan(fill(k, after)))) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                byte[] key = new byte[kv.key().remaining()];
                kv.key().get(key);
                byte[] val = new byte[kv.val().remaining()];
                kv.val().get(val);
                sum += key.length + val.length;
                if (++n == limit) break;
            }
        }
        return sum;
    }

    @Override
    public void checkpoint(Path dir) throws IOException {
        Files.createDirectories(dir);
        env.copy(dir.toFile(), CopyFlags.MDB_CP_COMPACT);
        Fsync.tree(dir);
    }

    @Override
    public void close() {
        env.close();
    }

    private static ByteBuffer fill(ByteBuffer b, byte[] bytes) {
        b.clear();
        b.put(bytes).flip();
        return b;
    }
}
