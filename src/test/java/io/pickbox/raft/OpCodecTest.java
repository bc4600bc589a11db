package io.pickbox.raft;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.index.Op;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;
import io.pickbox.index.Result.Status;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class OpCodecTest {

    private static final Origin N1 = new Origin("node1", 42);

    static Stream<Op> everyOpType() {
        return Stream.of(
                new Op.Chunk(sha("chunk"), 5),
                new Op.Put(N1, "dir/a.txt", 3, sha("abc"), List.of(sha("abc")), 0644, 1_700_000_000_123L, 7, true),
                new Op.Put(N1, "big.bin", 3L << 20, sha("big"), List.of(sha("c1"), sha("c2"), sha("c3")), 0755, 5, 0, false),
                new Op.Put(N1, "empty", 0, sha(""), List.of(), 0600, 0, 0, false),
                new Op.Mkdir(N1, "dir/sub", 0700, 123),
                new Op.Delete(N1, "dir/a.txt", 9, 11),
                new Op.Rename(N1, "a.txt", "b/ä 日本.txt", 3, 4),
                new Op.Meta(N1, "x", 0755, -1, Long.MAX_VALUE),
                new Op.Hello(N1, "127.0.0.1:9001"),
                new Op.Hello(new Origin("n", Long.MIN_VALUE), "[::1]:9001"),
                new Op.Trust(N1, 1_700_000_000_000L, new TrustChange.Invite(sha("secret"), 1_700_003_600_000L, true)),
                new Op.Trust(N1, 5, new TrustChange.Admit("node4", "7f3a9c", Long.MAX_VALUE, false, sha("secret"))),
                new Op.Trust(N1, 5, new TrustChange.Admit("node4", "7f3a9c", 0, true, "")),
                new Op.Trust(N1, -1, new TrustChange.Revoke("node3")));
    }

    @ParameterizedTest
    @MethodSource("everyOpType")
    void everyOpTypeRoundTrips(Op op) {
        assertThat(OpCodec.decode(OpCodec.encode(op))).isEqualTo(op);
    }

    @ParameterizedTest
    @EnumSource(Status.class)
    void resultRoundTripsWithEveryStatus(Status status) {
        Result r = new Result(status, "a/b.conflict-n1-7.txt", 99, "case collision with A/b.txt");
        assertThat(OpCodec.decodeResult(OpCodec.encode(r))).isEqualTo(r);
    }

    @Test
    void resultWithNullPathAndDetailRoundTrips() {
        Result r = new Result(Status.NOOP, null, 0, null);
        assertThat(OpCodec.decodeResult(OpCodec.encode(r))).isEqualTo(r);
        Result rejected = Result.rejected(null, "undecodable op");
        assertThat(OpCodec.decodeResult(OpCodec.encode(rejected))).isEqualTo(rejected);
    }

    @Test
    void longResultDetailIsShortenedNotFatal() {
        Result r = new Result(Status.REJECTED, "x", 0, "d".repeat(100_000));
        Result back = OpCodec.decodeResult(OpCodec.encode(r));
        assertThat(back.status()).isEqualTo(Status.REJECTED);
        assertThat(back.detail()).startsWith("ddd").hasSizeLessThanOrEqualTo(2000);
    }

    /** A valid path can be 4096 UTF-8 bytes; a conflict copy's name in a reply must reach the proposer whole. */
    @Test
    void resultWithLongValidPathRoundTrips() {
        String segment = "s".repeat(250);
        String path = String.join("/", segment, segment, segment, segment, segment, segment, segment, segment, "f.txt");
        assertThat(io.pickbox.folder.PathValidator.isValid(path)).isTrue();
        Result r = new Result(Status.CONFLICT, path, 5, "conflict copy of " + path);
        assertThat(OpCodec.decodeResult(OpCodec.encode(r)).path()).isEqualTo(path);
    }

    @Test
    void unicodeAndEmptyStringsRoundTrip() {
        Op op = new Op.Rename(new Origin("", 1), "\uD83D\uDE00/é", "", 0, 0);
        assertThat(OpCodec.decode(OpCodec.encode(op))).isEqualTo(op);
    }

    // ------------------------------------------------------------ malformed input

    @ParameterizedTest
    @MethodSource("everyOpType")
    void everyTruncationIsRefusedWithIllegalArgument(Op op) {
        byte[] full = OpCodec.encode(op);
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> OpCodec.decode(cut))
                    .as("prefix of %d/%d bytes of %s", len, full.length, op)
                    .isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("everyOpType")
    void trailingBytesAreRefused(Op op) {
        byte[] full = OpCodec.encode(op);
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> OpCodec.decode(longer))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void unknownTypesAreRefused() {
        for (int type : new int[] {0, 11, 42, 127, -1, -128}) {
            byte[] data = {(byte) type, 0, 0, 0, 0};
            assertThatThrownBy(() -> OpCodec.decode(data))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown op type");
        }
    }

    @Test
    void emptyInputIsRefused() {
        assertThatThrownBy(() -> OpCodec.decode(new byte[0])).isExactlyInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpCodec.decodeResult(new byte[0])).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absurdOrNegativeChunkCountsAreRefusedWithoutAllocating() throws IOException {
        for (int count : new int[] {Integer.MAX_VALUE, (1 << 24) + 1, -1, Integer.MIN_VALUE}) {
            byte[] data = putHeaderWithChunkCount(count);
            assertThatThrownBy(() -> OpCodec.decode(data))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("chunk count");
        }
    }

    @Test
    void largeButAllowedChunkCountWithMissingChunksIsTruncated() throws IOException {
        byte[] data = putHeaderWithChunkCount(1 << 24);
        assertThatThrownBy(() -> OpCodec.decode(data))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void malformedModifiedUtf8IsRefused() {
        // CHUNK whose string claims 2 bytes that are not valid modified UTF-8
        byte[] data = {1, 0, 2, (byte) 0xC0, (byte) 0x20, 0, 0, 0, 1};
        assertThatThrownBy(() -> OpCodec.decode(data)).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedResultStatusIsRefused() {
        byte[] good = OpCodec.encode(Result.applied("a", 1));
        for (byte status : new byte[] {-1, (byte) Status.values().length, 127}) {
            byte[] bad = good.clone();
            bad[0] = status;
            assertThatThrownBy(() -> OpCodec.decodeResult(bad)).isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] putHeaderWithChunkCount(int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(2); // PUT
            out.writeUTF("n1");
            out.writeLong(1);
            out.writeUTF("a.txt");
            out.writeLong(10);
            out.writeUTF(sha("x"));
            out.writeInt(count);
        }
        return bytes.toByteArray();
    }
}
