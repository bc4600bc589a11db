package io.pickbox.index;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The replicated part of the index, and its snapshot format. */
public record IndexState(long versionClock, Map<String, Long> lastSeqByOrigin, Map<String, String> peerAddresses,
                         SortedMap<String, Entry> entries, ClusterTrust trust) {

    /** Snapshots before the cluster's trust state was replicated; still read, with no trust state. */
    private static final int MAGIC_V1 = 0x50424931; // "PBI1"
    private static final int MAGIC_V2 = 0x50424932; // "PBI2"
    /** Entries carry their commit time. */
    private static final int MAGIC = 0x50424933; // "PBI3"
    private static final Entry.Kind[] KINDS = Entry.Kind.values();

    /** A state without trust changes (tests, and snapshots written before them). */
    public IndexState(long versionClock, Map<String, Long> lastSeqByOrigin, Map<String, String> peerAddresses,
                      SortedMap<String, Entry> entries) {
        this(versionClock, lastSeqByOrigin, peerAddresses, entries, new ClusterTrust());
    }

    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeLong(versionClock);
        out.writeInt(lastSeqByOrigin.size());
        for (var e : lastSeqByOrigin.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeInt(peerAddresses.size());
        for (var e : peerAddresses.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeInt(entries.size());
        for (var e : entries.entrySet()) {
            out.writeUTF(e.getKey());
            writeEntry(out, e.getValue());
            out.writeLong(e.getValue().committedAt());
        }
        trust.writeTo(out);
    }

    public static IndexState readFrom(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_V2 && magic != MAGIC_V1) throw new IOException("not a Pickbox index snapshot");
        long clock = in.readLong();
        int origins = in.readInt();
        Map<String, Long> seqs = new HashMap<>();
        for (int i = 0; i < origins; i++) seqs.put(in.readUTF(), in.readLong());
        int admins = in.readInt();
        Map<String, String> addresses = new HashMap<>();
        for (int i = 0; i < admins; i++) addresses.put(in.readUTF(), in.readUTF());
        int n = in.readInt();
        TreeMap<String, Entry> entries = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String path = in.readUTF();
            Entry e = readEntry(in);
            entries.put(path, magic == MAGIC ? e.committed(e.version(), in.readLong()) : e);
        }
        ClusterTrust trust = new ClusterTrust();
        if (magic != MAGIC_V1) trust.readFrom(in);
        return new IndexState(clock, seqs, addresses, entries, trust);
    }

    static void writeEntry(DataOutputStream out, Entry e) throws IOException {
        out.writeByte(e.kind().ordinal());
        out.writeLong(e.version());
        out.writeLong(e.size());
        writeNullable(out, e.sha256());
        out.writeInt(e.chunks().size());
        for (String c : e.chunks()) out.writeUTF(c);
        out.writeInt(e.mode());
        out.writeLong(e.mtime());
        writeNullable(out, e.origin());
        writeNullable(out, e.conflictOf());
    }

    static Entry readEntry(DataInputStream in) throws IOException {
        byte k = in.readByte();
        if (k < 0 || k >= KINDS.length) throw new IOException("corrupt index entry (kind " + k + ")");
        Entry.Kind kind = KINDS[k];
        long version = in.readLong();
        long size = in.readLong();
        String sha = readNullable(in);
        int n = in.readInt();
        if (n < 0) throw new IOException("corrupt index entry (" + n + " chunks)");
        // a damaged count must not size the list: the reads run out of bytes first
        List<String> chunks = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) chunks.add(in.readUTF());
        int mode = in.readInt();
        long mtime = in.readLong();
        return new Entry(kind, version, size, sha, chunks, mode, mtime, readNullable(in), readNullable(in));
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
