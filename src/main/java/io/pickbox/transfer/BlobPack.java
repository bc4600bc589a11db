package io.pickbox.transfer;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.folder.Hashing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>A record is {@code [int length][32-byte sha256][bytes]}. The packs are read back and every
 * record verified when the store opens, which rebuilds the in-memory map from hash to record; a
 * record torn by a crash (written, not yet synced) is cut off there. Appends go to one current
 * pack, which is sealed (synced) once it holds {@link #ROLL_BYTES}. {@link #collect} drops records
 * no committed file needs from sealed packs and rewrites a pack whose live records fill less than
 * half of it (a dropped record in a pack that stays is mapped again after a restart, and dropped
 * again by the next collection). A current pack last written before the cutoff is sealed first.
 *
 * <p>Packs are read and written through {@link RandomAccessFile}, not a shared {@code FileChannel}:
 * an interrupted reader would close a channel for every other thread.
 */
final class BlobPack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlobPack.class);
    static final long ROLL_BYTES = 64L << 20;
    private static final int HEADER = Integer.BYTES + 32;
    private static final Pattern NAME = Pattern.compile("(\\d{6,})\\.pack");

    /** Where a blob's bytes are: pack number, offset of the bytes (after the header), length. */
    private record Loc(int pack, long offset, int length) {}

    private final Path dir;
    private final long rollBytes;
    private final Map<String, Loc> locs = new ConcurrentHashMap<>();
    private final Map<Integer, RandomAccessFile> packs = new ConcurrentHashMap<>();

    /** Guards appends, rolling and collection; readers take only the pack's own monitor. */
    private final Object appends = new Object();
    private int current = -1;
    /** Records appended, and how many of them a sync covered; guarded by {@link #appends}. */
    private long appended;
    private long synced;
    private long end;
    private int next = 1;

    BlobPack(Path dir) throws IOException {
        this(dir, ROLL_BYTES);
    }

    BlobPack(Path dir, long rollBytes) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.rollBytes = rollBytes;
        load();
    }

    boolean has(String sha256) {
        return locs.containsKey(sha256);
    }

    int size() {
        return locs.size();
    }

    /** Appends a blob unless present. Durable after the next {@link #sync()}. */
    void put(String sha256, ByteBuffer data) throws IOException {
        if (locs.containsKey(sha256)) return;
        ByteBuffer record = record(sha256, data);
        synchronized (appends) {
            if (!locs.containsKey(sha256)) append(sha256, record);
        }
    }

    /**
     * Makes every blob put so far durable (a sealed pack was synced when it was sealed); nothing to
     * do, and no flush of the disk, when nothing was appended since the last sync.
     */
    void sync() throws IOException {
        RandomAccessFile raf;
        long upTo;
        synchronized (appends) {
            upTo = appended;
            raf = current < 0 || upTo == synced ? null : packs.get(current);
        }
        // Not under the pack's monitor: appends and reads go on while the disk flushes.
        if (raf != null) raf.getFD().sync();
        synchronized (appends) {
            synced = Math.max(synced, upTo);
        }
    }

    /** The blob's bytes, or null if it is not here. */
    ByteBuffer read(String sha256) throws IOException {
        while (true) {
            Loc loc = locs.get(sha256);
            if (loc == null) return null;
            RandomAccessFile raf = packs.get(loc.pack());
            try {
                if (raf == null) throw new IOException("pack " + loc.pack() + " is gone");
                byte[] bytes = new byte[loc.length()];
                synchronized (raf) {
                    raf.seek(loc.offset());
                    raf.readFully(bytes);
                }
                return ByteBuffer.wrap(bytes);
            } catch (IOException e) {
                // A collection moved the record meanwhile: look it up again.
                if (loc.equals(locs.get(sha256))) throw e;
            }
        }
    }

    /** Forgets a blob (its bytes stay until its pack is collected). */
    void remove(String sha256) {
        locs.remove(sha256);
    }

    /**
     * Drops blobs not {@code needed} from packs sealed before {@code cutoff}; a pack left with no live
     * record is deleted, one left less than half full is rewritten into the current pack first.
     * Returns how many blobs were dropped.
     */
    int collect(Predicate<String> needed, Instant cutoff) throws IOException {
        synchronized (appends) {
            // A current pack last written before the cutoff holds only blobs older than it: seal it.
            if (current >= 0 && Files.getLastModifiedTime(file(current)).toInstant().isBefore(cutoff)) {
                packs.get(current).getFD().sync();
                current = -1;
            }
            Map<Integer, List<Map.Entry<String, Loc>>> byPack = new HashMap<>();
            for (Map.Entry<String, Loc> e : locs.entrySet()) {
                if (e.getValue().pack() != current) byPack.computeIfAbsent(e.getValue().pack(), k -> new ArrayList<>()).add(e);
            }
            int dropped = 0;
            for (int n : new ArrayList<>(packs.keySet())) {
                if (n == current || !Files.getLastModifiedTime(file(n)).toInstant().isBefore(cutoff)) continue;
                long live = 0;
                List<Map.Entry<String, Loc>> keep = new ArrayList<>();
                for (Map.Entry<String, Loc> e : byPack.getOrDefault(n, List.of())) {
                    if (needed.test(e.getKey())) {
                        keep.add(e);
                        live += HEADER + e.getValue().length();
                    } else if (locs.remove(e.getKey(), e.getValue())) {
                        dropped++;
                    }
                }
                long size = packs.get(n).length();
                if (live > 0 && live * 2 >= size) continue;
                for (Map.Entry<String, Loc> e : keep) {
                    ByteBuffer bytes = read(e.getKey());
                    if (bytes != null) append(e.getKey(), record(e.getKey(), bytes));
                }
                if (!keep.isEmpty()) packs.get(current).getFD().sync();
                drop(n);
            }
            return dropped;
        }
    }

    private static ByteBuffer record(String sha256, ByteBuffer data) {
        ByteBuffer record = ByteBuffer.allocate(HEADER + data.remaining());
        record.putInt(data.remaining()).put(HexFormat.of().parseHex(sha256)).put(data.duplicate()).flip();
        return record;
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
        locs.put(sha256, new Loc(current, at + HEADER, record.remaining() - HEADER));
    }

    /** Seals the current pack (synced) and starts a new one. Called holding {@link #appends}. */
    private void roll() throws IOException {
        if (current >= 0) {
            packs.get(current).getFD().sync();
        }
        int n = next++;
        RandomAccessFile raf = new RandomAccessFile(file(n).toFile(), "rw");
        packs.put(n, raf);
        AtomicFiles.fsyncDirectory(dir);
        current = n;
        end = 0;
    }

    private void drop(int n) throws IOException {
        RandomAccessFile raf = packs.remove(n);
        if (raf != null) {
            synchronized (raf) {
                raf.close();
            }
        }
        Files.deleteIfExists(file(n));
    }

    private Path file(int n) {
        return dir.resolve(String.format("%06d.pack", n));
    }

    private void load() throws IOException {
        List<Integer> numbers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        numbers.sort(null);
        for (int n : numbers) {
            long valid = scan(n);
            RandomAccessFile raf = new RandomAccessFile(file(n).toFile(), "rw");
            if (raf.length() > valid) {
                LOG.warn("Cut pack {} at {} of {} bytes: its tail was torn by a crash", file(n).getFileName(), valid, raf.length());
                raf.setLength(valid);
                raf.getFD().sync();
            }
            packs.put(n, raf);
            next = n + 1;
        }
    }

    /** Maps every intact record of pack {@code n}; returns where the intact records end. */
    private long scan(int n) throws IOException {
        long offset = 0;
        byte[] sha = new byte[32];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file(n)), 1 << 16))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    return offset;
                }
                if (length < 0 || length > Hashing.CHUNK_SIZE) return offset;
                in.readFully(sha);
                byte[] bytes = in.readNBytes(length);
                if (bytes.length != length) return offset;
                String hex = Hashing.hex(sha);
                if (!Hashing.sha256Hex(bytes).equals(hex)) return offset;
                locs.put(hex, new Loc(n, offset + HEADER, length));
                offset += HEADER + length;
            }
        } catch (EOFException torn) {
            return offset;
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
    }
}
