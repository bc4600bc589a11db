package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of ops (the Raft log header) and of apply results (the reply). Compact and
 * explicit: a type byte, then fixed fields; strings as modified UTF-8.
 */
public final class OpCodec {

    private static final byte CHUNK = 1, PUT = 2, MKDIR = 3, DELETE = 4, RENAME = 5, META = 6, HELLO = 7, TRUST = 8, RESTORE = 9, HISTORY = 10;
    /** The kinds of trust change, after a TRUST byte. */
    private static final byte INVITE = 1, ADMIT = 2, REVOKE = 3;
    /** Leads a batch of ops (or of their results): never the first byte of one op or one result. */
    private static final byte BATCH = 0x7f;
    /** More ops than this in one entry cannot come from a valid proposal. */
    static final int MAX_BATCH = 1024;
    /** A chunk list longer than this cannot come from a valid proposal (16 TiB at 1 MiB chunks). */
    private static final int MAX_CHUNKS = 1 << 24;

    private OpCodec() {}

    public static byte[] encode(Op op) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            op.accept(WIRE_FORM).writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes one op: its type byte, then its fields in the order {@link #decode} reads them. */
    private interface Writer {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static final Op.Cases<Writer> WIRE_FORM = new Op.Cases<>() {
        @Override
        public Writer chunk(Op.Chunk c) {
            return out -> {
                out.writeByte(CHUNK);
                out.writeUTF(c.sha256());
                out.writeInt(c.length());
            };
        }

        @Override
        public Writer put(Op.Put p) {
            return out -> {
                out.writeByte(PUT);
                origin(out, p.origin());
                out.writeUTF(p.path());
                out.writeLong(p.size());
                out.writeUTF(p.sha256());
                out.writeInt(p.chunks().size());
                for (String c : p.chunks()) out.writeUTF(c);
                out.writeInt(p.mode());
                out.writeLong(p.mtime());
                out.writeLong(p.base());
                out.writeBoolean(p.inline());
            };
        }

        @Override
        public Writer mkdir(Op.Mkdir m) {
            return out -> {
                out.writeByte(MKDIR);
                origin(out, m.origin());
                out.writeUTF(m.path());
                out.writeInt(m.mode());
                out.writeLong(m.mtime());
            };
        }

        @Override
        public Writer delete(Op.Delete d) {
            return out -> {
                out.writeByte(DELETE);
                origin(out, d.origin());
                out.writeUTF(d.path());
                out.writeLong(d.base());
                out.writeLong(d.seen());
            };
        }

        @Override
        public Writer rename(Op.Rename r) {
            return out -> {
                out.writeByte(RENAME);
                origin(out, r.origin());
                out.writeUTF(r.from());
                out.writeUTF(r.to());
                out.writeLong(r.srcBase());
                out.writeLong(r.dstBase());
            };
        }

        @Override
        public Writer meta(Op.Meta m) {
            return out -> {
                out.writeByte(META);
                origin(out, m.origin());
                out.writeUTF(m.path());
                out.writeInt(m.mode());
                out.writeLong(m.mtime());
                out.writeLong(m.base());
            };
        }

        @Override
        public Writer hello(Op.Hello h) {
            return out -> {
                out.writeByte(HELLO);
                origin(out, h.origin());
                out.writeUTF(h.peerAddress());
            };
        }

        @Override
        public Writer trust(Op.Trust t) {
            return out -> {
                out.writeByte(TRUST);
                origin(out, t.origin());
                out.writeLong(t.atMillis());
                TrustChange c = t.change();
                if (c instanceof TrustChange.Invite i) {
                    out.writeByte(INVITE);
                    out.writeUTF(i.secretHash());
                    out.writeLong(i.expiresAtMillis());
                    out.writeBoolean(i.learner());
                } else if (c instanceof TrustChange.Admit a) {
                    out.writeByte(ADMIT);
                    out.writeUTF(a.nodeId());
                    out.writeUTF(a.serial());
                    out.writeLong(a.notAfterMillis());
                    out.writeBoolean(a.learner());
                    out.writeUTF(a.inviteHash());
                } else {
                    out.writeByte(REVOKE);
                    out.writeUTF(((TrustChange.Revoke) c).nodeId());
                }
            };
        }

        @Override
        public Writer restore(Op.Restore r) {
            return out -> {
                out.writeByte(RESTORE);
                origin(out, r.origin());
                out.writeUTF(r.path());
                out.writeLong(r.version());
                out.writeLong(r.atMillis());
                nullable(out, r.to());
                out.writeLong(r.seen());
                nullable(out, r.after());
            };
        }

        @Override
        public Writer history(Op.History h) {
            return out -> {
                out.writeByte(HISTORY);
                origin(out, h.origin());
                out.writeInt(h.days());
                out.writeLong(h.maxBytes());
                out.writeLong(h.purgeBefore());
            };
        }
    };

    /** @throws IllegalArgumentException for bytes that are not a well-formed op */
    public static Op decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte type = in.readByte();
            Op op = switch (type) {
                case CHUNK -> new Op.Chunk(in.readUTF(), in.readInt());
                case PUT -> {
                    Origin o = origin(in);
                    String path = in.readUTF();
                    long size = in.readLong();
                    String sha = in.readUTF();
                    int n = in.readInt();
                    if (n < 0 || n > MAX_CHUNKS) throw new IllegalArgumentException("bad chunk count " + n);
                    List<String> chunks = new ArrayList<>(Math.min(n, 4096));
                    for (int i = 0; i < n; i++) chunks.add(in.readUTF());
                    yield new Op.Put(o, path, size, sha, chunks, in.readInt(), in.readLong(), in.readLong(), in.readBoolean());
                }
                case MKDIR -> new Op.Mkdir(origin(in), in.readUTF(), in.readInt(), in.readLong());
                case DELETE -> new Op.Delete(origin(in), in.readUTF(), in.readLong(), in.readLong());
                case RENAME -> new Op.Rename(origin(in), in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
                case HELLO -> new Op.Hello(origin(in), in.readUTF());
                case META -> new Op.Meta(origin(in), in.readUTF(), in.readInt(), in.readLong(), in.readLong());
                case TRUST -> new Op.Trust(origin(in), in.readLong(), trustChange(in));
                case RESTORE -> new Op.Restore(origin(in), in.readUTF(), in.readLong(), in.readLong(), nullable(in),
                        in.readLong(), nullable(in));
                case HISTORY -> new Op.History(origin(in), in.readInt(), in.readLong(), in.readLong());
                default -> throw new IllegalArgumentException("unknown op type " + type);
            };
            if (in.available() > 0) throw new IllegalArgumentException("trailing bytes after op");
            return op;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated op", e);
        }
    }

    private static TrustChange trustChange(DataInputStream in) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case INVITE -> new TrustChange.Invite(in.readUTF(), in.readLong(), in.readBoolean());
            case ADMIT -> new TrustChange.Admit(in.readUTF(), in.readUTF(), in.readLong(), in.readBoolean(), in.readUTF());
            case REVOKE -> new TrustChange.Revoke(in.readUTF());
            default -> throw new IllegalArgumentException("unknown trust change " + kind);
        };
    }

    /** One op as {@link #encode(Op)}; several as a batch. */
    public static byte[] encodeAll(List<Op> ops) {
        if (ops.size() == 1) return encode(ops.get(0));
        List<byte[]> parts = new ArrayList<>(ops.size());
        for (Op op : ops) parts.add(encode(batchable(op)));
        return batch(parts);
    }

    /** The ops of {@link #encodeAll}. @throws IllegalArgumentException for malformed bytes */
    public static List<Op> decodeAll(byte[] data) {
        if (data.length == 0 || data[0] != BATCH) return List.of(decode(data));
        List<Op> ops = new ArrayList<>();
        for (byte[] part : unbatch(data)) ops.add(batchable(decode(part)));
        return ops;
    }

    /** One result as {@link #encode(Result)}; several as a batch. */
    public static byte[] encodeResults(List<Result> results) {
        if (results.size() == 1) return encode(results.get(0));
        List<byte[]> parts = new ArrayList<>(results.size());
        for (Result r : results) parts.add(encode(r));
        return batch(parts);
    }

    public static List<Result> decodeResults(byte[] data) {
        if (data.length == 0 || data[0] != BATCH) return List.of(decodeResult(data));
        List<Result> results = new ArrayList<>();
        for (byte[] part : unbatch(data)) results.add(decodeResult(part));
        return results;
    }

    /** A chunk's bytes go outside the log, which holds one chunk per entry. */
    private static Op batchable(Op op) {
        if (op instanceof Op.Chunk) throw new IllegalArgumentException("a chunk cannot be batched");
        return op;
    }

    private static byte[] batch(List<byte[]> parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(parts.size() * 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(BATCH);
            out.writeInt(parts.size());
            for (byte[] p : parts) {
                out.writeInt(p.length);
                out.write(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<byte[]> unbatch(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            in.readByte();
            int n = in.readInt();
            if (n < 2 || n > MAX_BATCH) throw new IllegalArgumentException("bad batch size " + n);
            List<byte[]> parts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = in.readInt();
                if (len <= 0 || len > in.available()) throw new IllegalArgumentException("bad batch part length " + len);
                parts.add(in.readNBytes(len));
            }
            if (in.available() > 0) throw new IllegalArgumentException("trailing bytes after batch");
            return parts;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated batch", e);
        }
    }

    public static byte[] encode(Result r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(r.status().ordinal());
            nullable(out, r.path());
            out.writeLong(r.version());
            // writeUTF is limited to 64 KiB; details are human text, keep them short
            nullable(out, r.detail() != null && r.detail().length() > 2000 ? r.detail().substring(0, 2000) : r.detail());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Result decodeResult(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            Result.Status status = Result.Status.values()[in.readByte()];
            String path = in.readBoolean() ? in.readUTF() : null;
            long version = in.readLong();
            String detail = in.readBoolean() ? in.readUTF() : null;
            return new Result(status, path, version, detail);
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed result", e);
        }
    }

    private static void origin(DataOutputStream out, Origin o) throws IOException {
        out.writeUTF(o.node());
        out.writeLong(o.seq());
    }

    private static Origin origin(DataInputStream in) throws IOException {
        return new Origin(in.readUTF(), in.readLong());
    }

    private static String nullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void nullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }
}
