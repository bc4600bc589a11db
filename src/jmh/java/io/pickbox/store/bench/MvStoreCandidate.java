package io.pickbox.store.bench;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * H2's MVStore: a 32 MB page cache, batches made durable by a commit (an appended chunk, not
 * fsynced) at most once a second and only between batches, so that each batch is all-or-nothing
 * (committing each batch of 256 random keys rewrote a leaf page per key and grew the file by
 * megabytes per batch); a checkpoint streamed as the store's backup (a copy of the file with space
 * reuse paused).
 */
final class MvStoreCandidate implements Candidate {
    static final String FILE = "store.mv";

    private final MVStore store;
    private final MVMap<byte[], byte[]> map;
    private static final long COMMIT_INTERVAL_NANOS = 1_000_000_000L;
    private long lastCommit = System.nanoTime();

    MvStoreCandidate(Path dir) throws IOException {
        Files.createDirectories(dir);
        store = new MVStore.Builder().fileName(dir.resolve(FILE).toString())
                .autoCommitDisabled().cacheSize(32).open();
        map = store.openMap("index", new MVMap.Builder<byte[], byte[]>()
                .keyType(Bytes.INSTANCE).valueType(Bytes.INSTANCE));
    }

    static MvStoreCandidate restore(Path dir) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(dir.resolve("checkpoint.zip")))) {
            ZipEntry e = in.getNextEntry();
            try (OutputStream out = Files.newOutputStream(dir.resolve(FILE))) {
                in.transferTo(out);
            }
        }
        return new MvStoreCandidate(dir);
    }

    @Override
    public void apply(byte[][] keys, byte[][] values, int from, int to) {
        for (int i = from; i < to; i++) map.put(keys[i], values[i]);
        if (System.nanoTime() - lastCommit > COMMIT_INTERVAL_NANOS) {
            store.commit();
            lastCommit = System.nanoTime();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        return map.get(key);
    }

    @Override
    public long page(byte[] after, int limit) {
        long sum = 0;
        Cursor<byte[], byte[]> c = map.cursor(map.flushAndGetRoot(), after, null, false);
        int n = 0;
        while (n < limit && c.hasNext()) {
            byte[] k = c.next();
            if (n == 0 && Arrays.equals(k, after)) continue;
            sum += k.length + c.getValue().length;
            n++;
        }
        return sum;
    }

    @Override
    public void checkpoint(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (OutputStream file = Files.newOutputStream(dir.resolve("checkpoint.zip"));
             ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.setLevel(1);
            store.commit();
            store.getFileStore().backup(zip);
        }
        Fsync.tree(dir);
    }

    @Override
    public void close() {
        store.close();
    }

    /** Byte-array keys in unsigned lexicographic order: UTF-8 paths sort as their code points do. */
    static final class Bytes extends BasicDataType<byte[]> {
        static final Bytes INSTANCE = new Bytes();

        @Override
        public int getMemory(byte[] obj) {
            return 24 + obj.length;
        }

        @Override
        public void write(WriteBuffer buff, byte[] obj) {
            buff.putVarInt(obj.length).put(obj);
        }

        @Override
        public byte[] read(ByteBuffer buff) {
            byte[] b = new byte[org.h2.mvstore.DataUtils.readVarInt(buff)];
            buff.get(b);
            return b;
        }

        @Override
        public int compare(byte[] a, byte[] b) {
            return Arrays.compareUnsigned(a, b);
        }

        @Override
        public byte[][] createStorage(int size) {
            return new byte[size][];
        }
    }
}
