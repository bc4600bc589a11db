package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import io.pickbox.os.Durability;
import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Keys;
import io.pickbox.store.Snapshot;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import io.pickbox.store.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs smaller than a chunk, appended to pack files ({@code 000001.pack}, …) instead of one file
 * each: a burst of small files would otherwise create a blob file per file on every node, and
 * creating a file costs far more than appending 4 KiB to one already open.
 *
 * <p>A record is a checked header (magic, length, hash) and the blob's bytes ({@link PackRecords}):
 * a damaged record is skipped and reading resumes at the next whole one. Where each blob's record is lives in
 * a table of the node's store, not in the heap: a node holding a million small files would
 * otherwise keep a million locations in memory. A record's location is written there once the pack
 * holding it is synced, together with how far that pack is synced (its watermark); locations of
 * records appended since are held in memory until then (a sync is forced after
 * {@link #PENDING_MAX} of them). At start-up only what lies past each pack's watermark is read and
 * verified: a record torn by a crash is cut off there, and the locations of the intact ones are
 * written. A record is verified against its hash whenever it is read, so one damaged after it was
 * synced is forgotten (and fetched again) rather than served, as is one whose pack is gone.
 *
 * <p>Appends go to one current pack, which is sealed (synced) once it holds {@link #ROLL_BYTES}.
 * {@link #collect} drops records no committed file needs from sealed packs and rewrites a pack
 * whose live records fill less than half of it, reading the pack through rather than holding its
 * records. A current pack last written before the cutoff is sealed first.
 *
 * <p>Packs are read and written through {@link RandomAccessFile}, not a shared {@code FileChannel}:
 * an interrupted reader would close a channel for every other thread.
 */
final class BlobPack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlobPack.class);
    static final long ROLL_BYTES = 64L << 20;
    /** Locations held in memory at most before a sync writes them to the store. */
    static final int PENDING_MAX = 4096;
    private static final int HEADER = PackRecords.HEADER;
    private static final Pattern NAME = Pattern.compile("(\\d{6,})\\.pack");
    /** The store tables: locations by hash; the watermark of each pack, and that packs were ever mapped, in the meta table. */
    static final String TABLE = "blobs.packed";
    private static final String WATERMARK = "blobs.synced.", MAPPED = "blobs.mapped";

    /** Where a blob's bytes are: pack number, offset of the bytes (after the header), length. */
    private record Loc(int pack, long offset, int length) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putInt(pack).putLong(offset).putInt(length).array();
        }

        static Loc decode(byte[] b) {
            ByteBuffer in = ByteBuffer.wrap(b);
            return new Loc(in.getInt(), in.getLong(), in.getInt());
        }
    }

    /** A location not yet in the store, with the append it came from. */
    private record Pending(Loc loc, long appended) {}

    private final Path dir;
    private final long rollBytes;
    private final Store store;
    private final boolean ownsStore;
    private final Table locations;
    private final Table meta;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Integer, RandomAccessFile> packs = new ConcurrentHashMap<>();

    /** Guards appends, rolling and collection; readers take only the pack's own monitor. */
    private final Object appends = new Object();
    private int current = -1;
    /** Records appended, and how many of them a sync covered; guarded by {@link #appends}. */
    private long appended;
    private long synced;
    private long end;
    private int next = 1;

    /** Packs in {@code dir} with their locations in a store of their own in it (tests, tools). */
    BlobPack(Path dir) throws IOException {
        this(dir, ROLL_BYTES);
    }

    BlobPack(Path dir, long rollBytes) throws IOException {
        this(dir, rollBytes, Store.open(Files.createDirectories(dir).resolve("locations"), StoreOptions.SMALL), true);
    }

    /** Packs in {@code dir} with their locations in {@code store} (the node's). */
    BlobPack(Path dir, Store store) throws IOException {
        this(dir, ROLL_BYTES, store, false);
    }

    private BlobPack(Path dir, long rollBytes, Store store, boolean ownsStore) throws IOException {
        this.dir = Durability.current().createDirectories(dir);
        this.rollBytes = rollBytes;
        this.store = store;
        this.ownsStore = ownsStore;
        this.locations = store.table(TABLE);
        this.meta = store.meta();
        try {
            load();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    boolean has(String sha256) {
        return pending.containsKey(sha256) || store.get(locations, key(sha256)) != null;
    }

    /** How many blobs are here: reads every location (for tests and tools). */
    int size() {
        int n = 0;
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(locations, new byte[0])) {
            while (c.next()) if (!pending.containsKey(Hashing.hex(c.key()))) n++;
        }
        return n + pending.size();
    }

    /** Appends a blob unless present. Durable after the next {@link #sync()}. */
    void put(String sha256, ByteBuffer data) throws IOException {
        if (has(sha256)) return;
        ByteBuffer record = record(sha256, data);
        boolean full;
        synchronized (appends) {
            if (!has(sha256)) append(sha256, record);
            full = pending.size() >= PENDING_MAX;
        }
        if (full) sync();
    }

    /**
     * Makes every blob put so far durable (a sealed pack was synced when it was sealed) and writes
     * their locations; nothing to do, and no flush of the disk, when nothing was appended since the
     * last sync.
     */
    void sync() throws IOException {
        RandomAccessFile raf;
        long upTo;
        int pack;
        long syncedEnd;
        synchronized (appends) {
            upTo = appended;
            pack = current;
            syncedEnd = end;
            raf = current < 0 || upTo == synced ? null : packs.get(current);
        }
        if (raf == null) return;
        // Not under the pack's monitor: appends and reads go on while the disk flushes.
        Durability.current().force(file(pack));
        synchronized (appends) {
            if (upTo <= synced) return;
            writeLocations(upTo, pack, syncedEnd);
            synced = upTo;
        }
    }

    /**
     * Writes the locations of the records appended up to {@code upTo} and the watermark of
     * {@code pack}, which is synced up to {@code syncedEnd}. Called holding {@link #appends}.
     */
    private void writeLocations(long upTo, int pack, long syncedEnd) {
        List<Map.Entry<String, Pending>> written = new ArrayList<>();
        try (Batch b = store.batch()) {
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                if (e.getValue().appended() > upTo) continue;
                b.put(locations, key(e.getKey()), e.getValue().loc().encode());
                written.add(e);
            }
            if (pack >= 0) b.putLong(meta, WATERMARK + pack, syncedEnd);
            b.commit();
        }
        for (Map.Entry<String, Pending> e : written) pending.remove(e.getKey(), e.getValue());
    }

    /** The blob's bytes, or null if it is not here (or its record no longer matches its hash: then it is forgotten). */
    ByteBuffer read(String sha256) throws IOException {
        while (true) {
            Loc loc = locate(sha256);
            if (loc == null) return null;
            RandomAccessFile raf = packs.get(loc.pack());
            byte[] bytes = new byte[loc.length()];
            try {
                if (raf == null) throw new EOFException("pack " + loc.pack() + " is gone");
                synchronized (raf) {
                    // a pack that ends before the record: readFully throws EOFException
                    raf.seek(loc.offset());
                    raf.readFully(bytes);
                }
            } catch (IOException e) {
                // A collection moved the record meanwhile: look it up again.
                if (!loc.equals(locate(sha256))) continue;
                if (!(e instanceof EOFException)) throw e;
                forget(sha256, loc, raf == null ? "its pack is gone" : "its pack ends before it");
                return null;
            }
            if (Hashing.sha256Hex(bytes).equals(sha256)) return ByteBuffer.wrap(bytes);
            if (!loc.equals(locate(sha256))) continue;
            forget(sha256, loc, "its bytes no longer match its hash");
            return null;
        }
    }

    private Loc locate(String sha256) {
        Pending p = pending.get(sha256);
        if (p != null) return p.loc();
        byte[] v = store.get(locations, key(sha256));
        return v == null ? null : Loc.decode(v);
    }

    private void forget(String sha256, Loc loc, String why) {
        LOG.warn("Blob {} in pack {} is damaged ({}): it is fetched again when needed", sha256, loc.pack(), why);
        synchronized (appends) {
            if (loc.equals(locate(sha256))) remove(sha256);
        }
    }

    /** Forgets a blob (its bytes stay until its pack is collected). */
    void remove(String sha256) {
        pending.remove(sha256);
        try (Batch b = store.batch()) {
            b.delete(locations, key(sha256)).commit();
        }
    }

    /**
     * Drops blobs not {@code needed} from packs sealed before {@code cutoff}; a pack left with no live
     * record is deleted, one left less than half full is rewritten into the current pack first.
     * Returns how many blobs were dropped.
     */
    int collect(Predicate<String> needed, Instant cutoff) throws IOException {
        synchronized (appends) {
            // A current pack last written before the cutoff holds only blobs older than it: seal it.
            if (current >= 0 && Files.getLastModifiedTime(file(current)).toInstant().isBefore(cutoff)) seal();
            int dropped = 0;
            for (int n : new ArrayList<>(packs.keySet())) {
                if (n == current || !Files.getLastModifiedTime(file(n)).toInstant().isBefore(cutoff)) continue;
                long[] live = {0};
                int[] gone = {0};
                try (Batch b = store.batch()) {
                    records(n, (sha, loc) -> {
                        if (!needed.test(sha)) {
                            b.delete(locations, key(sha));
                            gone[0]++;
                        } else {
                            live[0] += HEADER + loc.length();
                        }
                    });
                    b.commit();
                }
                dropped += gone[0];
                if (live[0] > 0 && live[0] * 2 >= packs.get(n).length()) continue;
                if (live[0] > 0) {
                    records(n, (sha, loc) -> {
                        ByteBuffer bytes = read(sha);
                        if (bytes != null) append(sha, record(sha, bytes));
                    });
                    flush();
                }
                // the blobs' new places durable before their old copies go
                store.sync();
                drop(n);
            }
            return dropped;
        }
    }

    private interface RecordVisitor {
        void visit(String sha256, Loc loc) throws IOException;
    }

    /** Visits the records of sealed pack {@code n} whose blobs are still located there, in the order they were appended. */
    private void records(int n, RecordVisitor visitor) throws IOException {
        PackRecords.read(file(n), 0, r -> {
            String hex = Hashing.hex(r.sha256());
            Loc here = new Loc(n, r.offset(), r.length());
            if (here.equals(locate(hex))) visitor.visit(hex, here);
        });
    }

    private static byte[] key(String sha256) {
        return HexFormat.of().parseHex(sha256);
    }

    private static ByteBuffer record(String sha256, ByteBuffer data) {
        return PackRecords.encode(HexFormat.of().parseHex(sha256), data);
    }

    /** Called holding {@link #appends}. */
    private void append(String sha256, ByteBuffer record) throws IOException {
        if (current < 0 || (end > 0 && end + record.remaining() > rollBytes)) roll();
        RandomAccessFile raf = packs.get(current);
        long at = end;
        synchronized (raf) {
            try {
                raf.seek(at);
                raf.write(record.array(), record.arrayOffset() + record.position(), record.remaining());
            } catch (IOException e) {
                raf.setLength(at); // nothing half-written stays behind a later record
                throw e;
            }
        }
        end = at + record.remaining();
        appended++;
        pending.put(sha256, new Pending(new Loc(current, at + HEADER, record.remaining() - HEADER), appended));
    }

    /** Seals the current pack (synced, its locations written) and starts a new one. Called holding {@link #appends}. */
    private void roll() throws IOException {
        seal();
        int n = next++;
        RandomAccessFile raf = new RandomAccessFile(file(n).toFile(), "rw");
        packs.put(n, raf);
        Durability.current().forceDirectory(dir);
        current = n;
        end = 0;
    }

    /** Syncs the current pack and writes its locations; appends go to a new pack after this. Called holding {@link #appends}. */
    private void seal() throws IOException {
        flush();
        current = -1;
    }

    /** Syncs the current pack and writes the locations of everything appended. Called holding {@link #appends}. */
    private void flush() throws IOException {
        if (current < 0) return;
        Durability.current().force(file(current));
        writeLocations(appended, current, end);
        synced = appended;
    }

    private void drop(int n) throws IOException {
        RandomAccessFile raf = packs.remove(n);
        if (raf != null) {
            synchronized (raf) {
                raf.close();
            }
        }
        Files.deleteIfExists(file(n));
        try (Batch b = store.batch()) {
            b.delete(meta, Keys.of(WATERMARK + n)).commit();
        }
    }

    private Path file(int n) {
        return dir.resolve(String.format("%06d.pack", n));
    }

    /**
     * Opens every pack. Only what lies past a pack's watermark is read (all of it the first time,
     * for packs written before locations were kept in the store): its intact records are located,
     * a torn tail is cut off.
     */
    private void load() throws IOException {
        List<Integer> numbers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        numbers.sort(null);
        boolean mapped = store.getLong(meta, MAPPED, 0) != 0;
        for (int n : numbers) {
            long from = mapped ? store.getLong(meta, WATERMARK + n, 0) : 0;
            RandomAccessFile raf = new RandomAccessFile(file(n).toFile(), "rw");
            packs.put(n, raf);
            next = n + 1;
            if (raf.length() <= from) continue;
            long valid = locateFrom(n, from);
            if (raf.length() > valid) {
                LOG.warn("Cut pack {} at {} of {} bytes: its tail was torn by a crash", file(n).getFileName(), valid, raf.length());
                raf.setLength(valid);
                Durability.current().force(file(n));
            }
        }
        if (!mapped) {
            try (Batch b = store.batch()) {
                b.putLong(meta, MAPPED, 1).commit();
            }
        }
    }

    /**
     * Locates every intact record of pack {@code n} from {@code offset} on, past damaged ones;
     * returns where the last intact record ends.
     */
    private long locateFrom(int n, long offset) throws IOException {
        Batch[] batch = {store.batch()};
        long[] located = {offset};
        try {
            PackRecords.Summary read = PackRecords.read(file(n), offset, r -> {
                batch[0].put(locations, r.sha256(), new Loc(n, r.offset(), r.length()).encode());
                located[0] = r.end();
                if (batch[0].size() >= PENDING_MAX) {
                    batch[0].putLong(meta, WATERMARK + n, located[0]).commit();
                    batch[0] = store.batch();
                }
            });
            if (read.skipped() > 0) {
                LOG.warn("Skipped {} damaged bytes in pack {}: the records after them are kept, the blobs in them fetched again when needed",
                        read.skipped(), file(n).getFileName());
            }
            return read.validEnd();
        } finally {
            batch[0].putLong(meta, WATERMARK + n, located[0]).commit();
        }
    }

    @Override
    public void close() {
        synchronized (appends) {
            for (int n : new ArrayList<>(packs.keySet())) {
                RandomAccessFile raf = packs.remove(n);
                try {
                    synchronized (raf) {
                        raf.close();
                    }
                } catch (IOException e) {
                    LOG.debug("Closing pack {} failed: {}", n, e.toString());
                }
            }
        }
        if (ownsStore) store.close();
    }
}
