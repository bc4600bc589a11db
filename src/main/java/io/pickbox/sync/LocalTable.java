package io.pickbox.sync;

import io.pickbox.folder.FileStat;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The third tree: what this node last materialized or proposed for each path (version, hash and
 * the stat it left on disk). Disk differing from it is a local edit; the index differing from it
 * is a remote change. Kept as an append-only journal, compacted when it grows.
 *
 * <p>The journal is flushed to the OS on each change but fsynced only periodically: losing its
 * tail in a power cut is harmless, since a path whose stat no longer matches is re-hashed and a
 * hash equal to the committed one is simply adopted.
 */
public final class LocalTable implements AutoCloseable {

    /** What this node knows of one path. {@code sha256} is null for directories. */
    public record Local(long version, String sha256, FileStat stat) {}

    private static final byte PUT = 1, REMOVE = 2;

    private final Path file;
    private final Map<String, Local> entries = new HashMap<>();
    private DataOutputStream journal;
    private long records;
    private long maxVersion;

    public LocalTable(Path file) throws IOException {
        this.file = file;
        load();
        if (records > 2L * entries.size() + 10_000) compact();
        journal = open();
    }

    public synchronized Local get(String path) {
        return entries.get(path);
    }

    public synchronized List<String> paths() {
        return new ArrayList<>(entries.keySet());
    }

    public synchronized int size() {
        return entries.size();
    }

    /** The highest index version this node has ever recorded: the index must reach it before sync starts. */
    public synchronized long maxVersion() {
        return maxVersion;
    }

    public synchronized void put(String path, Local local) {
        entries.put(path, local);
        maxVersion = Math.max(maxVersion, local.version());
        append(out -> {
            out.writeByte(PUT);
            out.writeUTF(path);
            writeLocal(out, local);
        });
    }

    public synchronized void remove(String path) {
        if (entries.remove(path) == null) return;
        append(out -> {
            out.writeByte(REMOVE);
            out.writeUTF(path);
        });
    }

    /**
     * Re-keys every row at {@code from} or under {@code from/} to the same place under {@code to}:
     * a tree moved on disk keeps what this node knew of it (renaming a directory changes neither the
     * inode nor the times of what is inside it). Rows already at {@code to} are replaced one by one.
     * {@code root}, when not null, is the moved root's row as it is now, written instead of its old one.
     */
    public synchronized void moveSubtree(String from, String to, Local root) {
        String under = from + "/";
        for (String p : paths()) {
            if (!p.equals(from) && !p.startsWith(under)) continue;
            Local l = p.equals(from) && root != null ? root : entries.get(p);
            remove(p);
            put(to + p.substring(from.length()), l);
        }
    }

    /** Makes the journal durable; called periodically and on close. */
    public synchronized void sync() throws IOException {
        journal.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        journal.close();
    }

    private interface Record {
        void write(DataOutputStream out) throws IOException;
    }

    private void append(Record r) {
        try {
            r.write(journal);
            journal.flush();
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local table " + file, e);
        }
    }

    private void load() throws IOException {
        if (!Files.exists(file)) return;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            while (true) {
                byte type;
                try {
                    type = in.readByte();
                } catch (EOFException end) {
                    break;
                }
                try {
                    String path = in.readUTF();
                    if (type == PUT) {
                        Local l = readLocal(in);
                        entries.put(path, l);
                        maxVersion = Math.max(maxVersion, l.version());
                    } else {
                        entries.remove(path);
                    }
                    records++;
                } catch (EOFException torn) {
                    break; // a record cut short by a crash: everything before it stands
                }
            }
        }
        compact(); // also drops a torn tail
    }

    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            for (var e : entries.entrySet()) {
                out.writeByte(PUT);
                out.writeUTF(e.getKey());
                writeLocal(out, e.getValue());
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        records = entries.size();
    }

    private DataOutputStream open() throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), 1 << 16));
    }

    private static void writeLocal(DataOutputStream out, Local l) throws IOException {
        out.writeLong(l.version());
        out.writeBoolean(l.sha256() != null);
        if (l.sha256() != null) out.writeUTF(l.sha256());
        FileStat s = l.stat();
        out.writeByte(s.kind().ordinal());
        out.writeLong(s.size());
        out.writeLong(s.mtimeMillis());
        out.writeLong(s.inode());
        out.writeInt(s.mode());
        out.writeLong(s.ctimeNanos());
    }

    private static Local readLocal(DataInputStream in) throws IOException {
        long version = in.readLong();
        String sha = in.readBoolean() ? in.readUTF() : null;
        FileStat stat = new FileStat(FileStat.Kind.values()[in.readByte()], in.readLong(), in.readLong(),
                in.readLong(), in.readInt(), in.readLong());
        return new Local(version, sha, stat);
    }
}
