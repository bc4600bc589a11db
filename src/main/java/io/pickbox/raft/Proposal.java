package io.pickbox.raft;

import io.pickbox.index.Op;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;

/**
 * A client request: an op header and, for chunks and small files, the bytes. On the wire:
 * {@code [int headerLength][header][data]}; the leader moves the data out of the log.
 */
public record Proposal(Op op, ByteString header, ByteString data) {

    public static Message message(Op op, ByteBuffer data) {
        byte[] header = OpCodec.encode(op);
        ByteBuffer prefix = ByteBuffer.allocate(4 + header.length).putInt(header.length).put(header).flip();
        ByteString content = UnsafeByteOperations.unsafeWrap(prefix);
        if (data != null && data.hasRemaining()) content = content.concat(UnsafeByteOperations.unsafeWrap(data));
        return Message.valueOf(content);
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
        Op op = OpCodec.decode(header);
        return new Proposal(op, ByteString.copyFrom(header), content.substring(4 + headerLength));
    }

    String origin() {
        Op.Origin o = Op.originOf(op);
        return o == null ? "chunk" : o.node();
    }
}
