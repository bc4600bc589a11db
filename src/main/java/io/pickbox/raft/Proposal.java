package io.pickbox.raft;

import io.pickbox.index.Op;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A client request: one op or a batch of them, then the bytes they carry (a chunk's, or the
 * content of each inline file in op order). On the wire and in the log:
 * {@code [int headerLength][header][data]}; the leader moves a chunk's bytes out of the log.
 */
public record Proposal(List<Op> ops, ByteString header, ByteString data) {

    public Proposal {
        ops = List.copyOf(ops);
    }

    /** The op of a single-op proposal (the first of a batch). */
    public Op op() {
        return ops.get(0);
    }

    public static Message message(Op op, ByteBuffer data) {
        return Message.valueOf(encode(OpCodec.encode(op), data == null ? List.of() : List.of(data)));
    }

    /** Several ops in one log entry; {@code data} holds the bytes of each inline put, in op order. */
    public static Message batch(List<Op> ops, List<ByteBuffer> data) {
        return Message.valueOf(encode(OpCodec.encodeAll(ops), data));
    }

    private static ByteString encode(byte[] header, List<ByteBuffer> data) {
        ByteBuffer prefix = ByteBuffer.allocate(4 + header.length).putInt(header.length).put(header).flip();
        ByteString content = UnsafeByteOperations.unsafeWrap(prefix);
        for (ByteBuffer d : data) {
            if (d != null && d.hasRemaining()) content = content.concat(UnsafeByteOperations.unsafeWrap(d.duplicate()));
        }
        return content;
    }

    /** The log form of a chunk proposal: its header alone (the bytes go outside the log). */
    ByteString headerOnly() {
        return encode(header.toByteArray(), List.of());
    }

    /** Marks the leader's stamp, which follows the header in log data (where nothing else follows it). */
    private static final int STAMP = 0x50425453; // "PBTS"
    private static final int STAMP_LENGTH = 4 + Long.BYTES;

    /**
     * {@code logData} (a header alone) stamped with the leader's time, after the header: apply takes
     * the cluster's time from it, so that every node decides what depends on time (history
     * retention, restore points) from the same committed value. A node that reads log data as
     * header and data ignores it: an older follower applies the entry as before.
     */
    static ByteString stamped(ByteString logData, long millis) {
        ByteBuffer stamp = ByteBuffer.allocate(STAMP_LENGTH).putInt(STAMP).putLong(millis).flip();
        return logData.concat(UnsafeByteOperations.unsafeWrap(stamp));
    }

    /** The leader's time stamped on log data parsed as a proposal, or 0 if it carries none (entries written before stamping). */
    long stamp() {
        ByteString rest = data;
        if (rest.size() != STAMP_LENGTH) return 0;
        ByteBuffer b = rest.asReadOnlyByteBuffer();
        return b.getInt() == STAMP ? b.getLong() : 0;
    }

    /** The proposal in an entry's log data, stamped or not: its ops and header (the bytes it carries are not in the log). */
    static Proposal parseLogged(ByteString logData) {
        Proposal p = parse(logData);
        return p.data().isEmpty() ? p : new Proposal(p.ops(), p.header(), ByteString.EMPTY);
    }

    static Proposal parse(ByteString content) {
        if (content.size() < 4) throw new IllegalArgumentException("empty request");
        int headerLength = content.substring(0, 4).asReadOnlyByteBuffer().getInt();
        if (headerLength <= 0 || headerLength > content.size() - 4 || headerLength > 1 << 26) {
            throw new IllegalArgumentException("bad header length " + headerLength);
        }
        // A copy, not a view: the header lives on in Ratis's log cache, and a view would keep the
        // whole request (a 1 MiB chunk) alive with it.
        byte[] header = content.substring(4, 4 + headerLength).toByteArray();
        List<Op> ops = OpCodec.decodeAll(header);
        return new Proposal(ops, ByteString.copyFrom(header), content.substring(4 + headerLength));
    }

    /**
     * The bytes each op carries, in op order (empty for ops without data). Inline puts take their
     * size from the data in turn; a chunk takes all of it.
     * @throws IllegalArgumentException if the data does not add up to what the ops declare
     */
    List<ByteString> dataPerOp() {
        List<ByteString> out = new ArrayList<>(ops.size());
        long offset = 0;
        for (Op op : ops) {
            long n = blobOf(op).map(Blob::length).orElse(0L);
            if (n < 0 || offset + n > data.size()) throw new IllegalArgumentException("data shorter than its ops declare");
            out.add(data.substring((int) offset, (int) (offset + n)));
            offset += n;
        }
        if (offset != data.size()) throw new IllegalArgumentException("unexpected data");
        return out;
    }

    /** The hashes of the blobs this entry carries (a chunk's, or each inline file's), in op order; known from the header alone. */
    List<String> blobHashes() {
        List<String> out = new ArrayList<>();
        for (Op op : ops) blobOf(op).ifPresent(b -> out.add(b.sha256()));
        return out;
    }

    /** The bytes of each blob this entry carries, by hash. @throws IllegalArgumentException as {@link #dataPerOp} */
    Map<String, ByteString> blobs() {
        List<ByteString> parts = dataPerOp();
        Map<String, ByteString> out = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            ByteString part = parts.get(i);
            blobOf(ops.get(i)).ifPresent(b -> out.put(b.sha256(), part));
        }
        return out;
    }

    /** Bytes stored as one blob, named by their hash. */
    private record Blob(String sha256, long length) {}

    /** The blob {@code op} carries in this entry's data, if it carries one. */
    private Optional<Blob> blobOf(Op op) {
        return op.accept(new Op.Cases<>() {
            @Override
            public Optional<Blob> chunk(Op.Chunk c) {
                return Optional.of(new Blob(c.sha256(), data.size())); // alone in its entry
            }

            @Override
            public Optional<Blob> put(Op.Put p) {
                return p.inline() ? Optional.of(new Blob(p.sha256(), p.size())) : Optional.empty();
            }

            @Override
            public Optional<Blob> mkdir(Op.Mkdir m) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> delete(Op.Delete d) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> rename(Op.Rename r) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> meta(Op.Meta m) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> hello(Op.Hello h) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> trust(Op.Trust t) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> restore(Op.Restore r) {
                return Optional.empty();
            }

            @Override
            public Optional<Blob> history(Op.History h) {
                return Optional.empty();
            }
        });
    }

    String origin() {
        Op.Origin o = op().origin();
        return o.isNone() ? "chunk" : o.node();
    }
}
