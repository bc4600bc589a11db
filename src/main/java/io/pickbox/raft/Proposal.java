package io.pickbox.raft;

import io.pickbox.index.Op;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

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
            long n = op instanceof Op.Put p && p.inline() ? p.size() : op instanceof Op.Chunk ? data.size() : 0;
            if (n < 0 || offset + n > data.size()) throw new IllegalArgumentException("data shorter than its ops declare");
            out.add(data.substring((int) offset, (int) (offset + n)));
            offset += n;
        }
        if (offset != data.size()) throw new IllegalArgumentException("unexpected data");
        return out;
    }

    String origin() {
        Op.Origin o = Op.originOf(op());
        return o == null ? "chunk" : o.node();
    }
}
