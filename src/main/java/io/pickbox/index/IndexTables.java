package io.pickbox.index;

import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.Table;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Where the replicated index lives in the node's store: its tables, the keys of its counters in
 * the meta table, and the encodings of what they hold. Entries use the snapshot format's codec
 * ({@link IndexState}), so the two never drift apart.
 */
final class IndexTables {
    static final String ENTRIES = "index.entries", FOLD = "index.fold", CHUNKS = "index.chunks",
            SEQ = "index.seq", PEERS = "index.peers", HOLDERS = "index.chunk-holders";
    /** Every table of the index: what a checkpoint install replaces. */
    static final List<String> ALL = List.of(ENTRIES, FOLD, CHUNKS, SEQ, PEERS, HOLDERS,
            History.TABLE);

    static final String CLOCK = "index.clock", BYTES = "index.bytes", COUNT = "index.count",
            CONFLICTS = "index.conflicts", TRUST = "index.trust", APPLIED = "index.applied", APPLIED_TERM = "index.applied-term",
            TIME = "index.time", HOLDERS_BUILT = "index.chunk-holders-built";
    /** Meta keys of the index: copied with its tables. */
    static final List<String> META_KEYS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(CLOCK, BYTES, COUNT, CONFLICTS, TRUST, APPLIED, APPLIED_TERM, TIME, HOLDERS_BUILT),
            History.META_KEYS.stream()).toList();

    final Table entries, fold, chunks, seq, peers, holders, meta;
    private final Store store;

    IndexTables(Store store) {
        this.store = store;
        entries = store.table(ENTRIES);
        fold = store.table(FOLD);
        chunks = store.table(CHUNKS);
        seq = store.table(SEQ);
        peers = store.table(PEERS);
        holders = store.table(HOLDERS);
        meta = store.meta();
    }

    List<Table> all() {
        return ALL.stream().map(store::table).toList();
    }

    /**
     * Whether the index records which paths hold {@code e}'s chunks: those of large files (more than
     * one chunk), so that a node receiving a copy of one reads the chunks from its own copy.
     */
    static boolean holdsChunks(Entry e) {
        return e.chunks().size() > 1;
    }

    /** The key of a large file's chunk by where it is: the chunk's hash (of a fixed length), then the path. */
    private static byte[] holderKey(String chunk, String path) {
        return Keys.of(chunk + path);
    }

    /** Records in {@code b} that {@code path} holds the chunks of {@code e}, each at its first index in the file. */
    void putHolders(io.pickbox.store.Batch b, String path, Entry e) {
        List<String> cs = e.chunks();
        for (int i = cs.size() - 1; i >= 0; i--) b.put(holders, holderKey(cs.get(i), path), Keys.ofLong(i));
    }

    /** Takes back in {@code b} what {@link #putHolders} recorded for {@code e} at {@code path}. */
    void deleteHolders(io.pickbox.store.Batch b, String path, Entry e) {
        for (String c : e.chunks()) b.delete(holders, holderKey(c, path));
    }

    /** An entry as the store holds it: the snapshot format's fields, then its commit time (absent in rows written before it). */
    static byte[] encode(Entry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            IndexState.writeEntry(out, e);
            out.writeLong(e.committedAt());
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    static Entry decode(byte[] value) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            Entry e = IndexState.readEntry(in);
            return in.available() >= Long.BYTES ? e.committed(e.version(), in.readLong()) : e;
        } catch (IOException e) {
            throw new UncheckedIOException("a corrupt index entry", e);
        }
    }

    static byte[] encode(ClusterTrust trust) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            trust.writeTo(out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    static void decodeInto(byte[] value, ClusterTrust trust) {
        try {
            trust.readFrom(new DataInputStream(new ByteArrayInputStream(value)));
        } catch (IOException e) {
            throw new UncheckedIOException("a corrupt cluster trust record", e);
        }
    }

    static byte[] key(String s) {
        return Keys.of(s);
    }
}
