package io.pickbox.raft;

import static io.pickbox.index.TestOps.bytes;
import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.index.Op;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.TestOps;
import io.pickbox.index.TrustChange;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Proposal#parse} and the stateless checks of {@link ProposalValidation#validate}. */
class ProposalValidationTest {

    private static final int MIB = PickboxStateMachine.MAX_CHUNK;
    private final TestOps n1 = new TestOps("node1");

    // ------------------------------------------------------------ helpers

    private static Proposal proposal(Op op, byte[] data) {
        ByteBuffer buf = data == null ? null : ByteBuffer.wrap(data);
        return Proposal.parse(Proposal.message(op, buf).getContent());
    }

    private static void accepted(Op op, byte[] data) {
        assertThatCode(() -> ProposalValidation.validate(proposal(op, data))).doesNotThrowAnyException();
    }

    private static void refused(Op op, byte[] data, String messagePart) {
        assertThatThrownBy(() -> ProposalValidation.validate(proposal(op, data)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(messagePart);
    }

    private Op.Put inlinePut(String path, String content) {
        return n1.put(path, content, 0);
    }

    // ------------------------------------------------------------ Proposal framing

    @Test
    void parseSplitsHeaderAndData() {
        Op op = inlinePut("a.txt", "hello");
        Proposal p = proposal(op, bytes("hello"));
        assertThat(p.op()).isEqualTo(op);
        assertThat(p.header().toByteArray()).isEqualTo(OpCodec.encode(op));
        assertThat(p.data().toStringUtf8()).isEqualTo("hello");
        assertThat(p.origin()).isEqualTo("node1");
        assertThat(proposal(new Op.Chunk(sha("x"), 1), bytes("x")).origin()).isEqualTo("chunk");
    }

    @Test
    void parseWithoutDataHasEmptyData() {
        assertThat(proposal(n1.mkdir("d"), null).data().isEmpty()).isTrue();
        assertThat(proposal(n1.mkdir("d"), new byte[0]).data().isEmpty()).isTrue();
    }

    @Test
    void malformedFramingIsRefused() {
        byte[] header = OpCodec.encode(n1.mkdir("d"));
        for (ByteString bad : List.of(
                ByteString.EMPTY,
                ByteString.copyFrom(new byte[] {0, 0, 1}),
                frame(0, header),
                frame(-1, header),
                frame(header.length + 1, header),
                frame(Integer.MAX_VALUE, header),
                frame(3, new byte[] {9, 9, 9}))) {
            assertThatThrownBy(() -> Proposal.parse(bad)).isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    private static ByteString frame(int declaredLength, byte[] header) {
        return ByteString.copyFrom(ByteBuffer.allocate(4 + header.length).putInt(declaredLength).put(header).flip());
    }

    // ------------------------------------------------------------ chunks

    @Test
    void chunkMatchingItsHashIsAccepted() {
        accepted(new Op.Chunk(sha("payload"), 7), bytes("payload"));
    }

    @Test
    void chunkWhoseDataDoesNotMatchItsHashIsRefused() {
        refused(new Op.Chunk(sha("payload"), 7), bytes("PAYLOAD"), "does not match its hash");
    }

    @Test
    void chunkWithWrongLengthOrNoDataOrTooMuchDataIsRefused() {
        refused(new Op.Chunk(sha("payload"), 8), bytes("payload"), "as declared");
        refused(new Op.Chunk(sha(""), 0), new byte[0], "chunk of 0 bytes");
        byte[] tooBig = new byte[MIB + 1];
        refused(new Op.Chunk(io.pickbox.folder.Hashing.sha256Hex(tooBig), tooBig.length), tooBig, "1 MiB at most");
    }

    // ------------------------------------------------------------ puts

    @Test
    void inlinePutIsAccepted() {
        accepted(inlinePut("dir/a.txt", "hello"), bytes("hello"));
    }

    @Test
    void emptyFileIsAcceptedAsNonInlinePutWithoutChunks() {
        accepted(n1.put("empty", "", 0), null);
    }

    @Test
    void inlinePutSizeMismatchIsRefused() {
        Op.Put declaredSix = new Op.Put(n1.next(), "a.txt", 6, sha("hello"), List.of(sha("hello")), 0644, 0, 0, true);
        refused(declaredSix, bytes("hello"), "inline data of 5 bytes for a 6-byte file");
    }

    @Test
    void inlinePutWhoseDataDoesNotMatchItsHashIsRefused() {
        Op.Put put = inlinePut("a.txt", "hello");
        refused(put, bytes("HELLO"), "does not match its hash");
    }

    /**
     * The state machine stores inline bytes under {@code put.sha256()}, while the index entry (and the
     * materializer) look them up by {@code put.chunks()}: for a one-chunk file these must be equal.
     */
    @Test
    void inlinePutWhoseChunkHashIsNotItsContentHashIsRefused() {
        Op.Put put = new Op.Put(n1.next(), "a.txt", 5, sha("hello"), List.of(sha("other")), 0644, 0, 0, true);
        refused(put, bytes("hello"), "");
    }

    @Test
    void inlinePutWithoutDataIsRefused() {
        refused(inlinePut("a.txt", "hello"), null, "inline data of 0 bytes");
    }

    @Test
    void chunkedPutWithDataIsRefused() {
        Op.Put put = n1.chunkedPut("a.bin", 5, sha("hello"), List.of(sha("hello")), 0);
        accepted(put, null);
        refused(put, bytes("hello"), "unexpected data");
    }

    @Test
    void wrongChunkCountIsRefused() {
        refused(n1.chunkedPut("a.bin", 2L * MIB + 1, sha("x"), List.of(sha("1"), sha("2")), 0), null, "2 chunks for");
        refused(n1.chunkedPut("a.bin", 2L * MIB, sha("x"), List.of(sha("1"), sha("2"), sha("3")), 0), null, "3 chunks for");
        refused(n1.chunkedPut("a.bin", 0, sha(""), List.of(sha("1")), 0), null, "1 chunks for 0 bytes");
        accepted(n1.chunkedPut("a.bin", 2L * MIB + 1, sha("x"), List.of(sha("1"), sha("2"), sha("3")), 0), null);
        accepted(n1.chunkedPut("a.bin", 2L * MIB, sha("x"), List.of(sha("1"), sha("2")), 0), null);
    }

    @Test
    void hugeChunkCountIsRefused() {
        List<String> many = Collections.nCopies(10_000, sha("c"));
        refused(n1.chunkedPut("a.bin", 5, sha("x"), many, 0), null, "chunks for");
    }

    @Test
    void negativeSizeIsRefused() {
        refused(n1.chunkedPut("a.bin", -1, sha("x"), List.of(), 0), null, "negative size");
    }

    @Test
    void malformedHashesAreRefused() {
        refused(n1.chunkedPut("a.bin", 1, "ABC", List.of(sha("1")), 0), null, "malformed hash");
        refused(n1.chunkedPut("a.bin", 1, sha("x"), List.of(sha("1").toUpperCase()), 0), null, "malformed hash");
    }

    // ------------------------------------------------------------ paths

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/etc/passwd", "/abs", "a\u0000b", ".pickbox/x", ".pickbox",
            "a//b", "a/", "./a", "", "C:/x", "a\\b", "x/.pickbox-tmp-1"})
    void badPathsAreRefusedInEveryOpThatCarriesOne(String bad) {
        refused(new Op.Put(n1.next(), bad, 1, sha("x"), List.of(sha("x")), 0644, 0, 0, true), bytes("x"), "");
        refused(n1.mkdir(bad), null, "");
        refused(n1.delete(bad, 1), null, "");
        refused(n1.meta(bad, 0644, 0, 1), null, "");
        refused(n1.rename(bad, "ok", 1, 0), null, "");
        refused(n1.rename("ok", bad, 1, 0), null, "");
    }

    @Test
    void nonCanonicalUnicodePathIsRefused() {
        String nfd = "e\u0301.txt"; // NFD spelling of é.txt
        refused(n1.mkdir(nfd), null, "not canonical");
        accepted(n1.mkdir("\u00e9.txt"), null);
    }

    @Test
    void dataOnOpsThatCarryNoneIsRefused() {
        refused(n1.mkdir("d"), bytes("x"), "unexpected data");
        refused(n1.delete("d", 1), bytes("x"), "unexpected data");
        refused(n1.rename("a", "b", 1, 0), bytes("x"), "unexpected data");
        refused(n1.meta("a", 0644, 0, 1), bytes("x"), "unexpected data");
    }

    @Test
    void trustChangesNeedWellFormedFields() {
        accepted(n1.trust(1, new TrustChange.Invite(sha("s"), 2, false)), null);
        accepted(n1.trust(1, new TrustChange.Admit("node4", "00ff", 2, false, sha("s"))), null);
        accepted(n1.trust(1, new TrustChange.Revoke("node4")), null);
        refused(n1.trust(1, new TrustChange.Invite("secret", 2, false)), null, "bad invite hash");
        refused(n1.trust(1, new TrustChange.Admit("node4", "00FF", 2, false, "")), null, "bad certificate serial");
        refused(n1.trust(1, new TrustChange.Admit("node/4", "00ff", 2, false, "")), null, "bad node id");
        refused(n1.trust(1, new TrustChange.Revoke("")), null, "bad node id");
        refused(n1.trust(1, new TrustChange.Revoke("node4")), bytes("x"), "unexpected data");
    }

    @Test
    void helloNeedsASanePeerAddress() {
        accepted(n1.hello("127.0.0.1:9001"), null);
        accepted(n1.hello("[::1]:9001"), null);
        refused(n1.hello("http://evil/\n"), null, "bad peer address");
        refused(n1.hello(""), null, "bad peer address");
    }

    @Test
    void originMustBeNamedAndShort() {
        refused(new Op.Mkdir(new Origin("", 1), "d", 0755, 0), null, "bad origin");
        refused(new Op.Mkdir(new Origin("n".repeat(65), 1), "d", 0755, 0), null, "bad origin");
        accepted(new Op.Mkdir(new Origin("n".repeat(64), 1), "d", 0755, 0), null);
    }

    @Test
    void validOpsOfEveryKindAreAccepted() {
        accepted(n1.mkdir("d/e"), null);
        accepted(n1.delete("d/e", 3), null);
        accepted(n1.rename("a.txt", "A.txt", 1, 0), null);
        accepted(n1.meta("a.txt", 0755, 5, 1), null);
    }

    // ------------------------------------------------------------ batches

    private static Proposal batch(List<Op> ops, List<byte[]> data) {
        List<ByteBuffer> bufs = data.stream().map(ByteBuffer::wrap).toList();
        return Proposal.parse(Proposal.batch(ops, bufs).getContent());
    }

    @Test
    void aBatchCarriesEachInlineFilesBytesInOpOrder() {
        Op.Put a = inlinePut("a.txt", "hello");
        Op.Put b = inlinePut("b.txt", "world!");
        Proposal p = batch(List.of(a, n1.mkdir("d"), b), List.of(bytes("hello"), bytes("world!")));
        assertThat(p.ops()).containsExactly(a, p.ops().get(1), b);
        assertThat(p.dataPerOp()).extracting(ByteString::toStringUtf8).containsExactly("hello", "", "world!");
        assertThatCode(() -> ProposalValidation.validate(p)).doesNotThrowAnyException();
    }

    @Test
    void anInlineFileOrAChunkIsOneBlobOfItsEntry() {
        Op.Put a = inlinePut("a.txt", "hello");
        Op.Put b = inlinePut("b.txt", "world!");
        Proposal p = batch(List.of(a, n1.mkdir("d"), b), List.of(bytes("hello"), bytes("world!")));
        Proposal header = Proposal.parse(p.headerOnly());
        assertThat(header.blobHashes()).containsExactly(sha("hello"), sha("world!"));
        assertThat(p.blobs()).containsOnlyKeys(sha("hello"), sha("world!"));
        assertThat(p.blobs().get(sha("world!")).toStringUtf8()).isEqualTo("world!");

        Proposal chunk = proposal(new Op.Chunk(sha("x"), 1), bytes("x"));
        assertThat(Proposal.parse(chunk.headerOnly()).blobHashes()).containsExactly(sha("x"));
        assertThat(chunk.blobs()).containsOnlyKeys(sha("x"));
        assertThat(chunk.blobs().get(sha("x")).toStringUtf8()).isEqualTo("x");
    }

    @Test
    void theLeadersStampFollowsTheHeaderAndLeavesTheOpsAsTheyWere() {
        Op.Put a = inlinePut("a.txt", "hello");
        Proposal p = batch(List.of(a, n1.mkdir("d")), List.of(bytes("hello")));
        ByteString logged = Proposal.stamped(p.headerOnly(), 1_800_000_000_123L);

        Proposal read = Proposal.parse(logged);
        assertThat(read.ops()).isEqualTo(p.ops());
        assertThat(read.stamp()).isEqualTo(1_800_000_000_123L);
        assertThat(Proposal.parseLogged(logged).data().isEmpty()).isTrue();
        assertThat(Proposal.parseLogged(logged).blobHashes()).containsExactly(sha("hello"));
        assertThat(Proposal.parse(p.headerOnly()).stamp()).isZero();
    }

    @Test
    void aBatchWhoseBytesDoNotAddUpOrDoNotMatchIsRefused() {
        Op.Put a = inlinePut("a.txt", "hello");
        Op.Put b = inlinePut("b.txt", "world!");
        assertThatThrownBy(() -> ProposalValidation.validate(batch(List.of(a, b), List.of(bytes("hello"), bytes("world")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shorter");
        assertThatThrownBy(() -> ProposalValidation.validate(batch(List.of(a, b), List.of(bytes("hello"), bytes("world!!")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected data");
        assertThatThrownBy(() -> ProposalValidation.validate(batch(List.of(a, b), List.of(bytes("hello"), bytes("WORLD!")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match its hash");
        assertThatThrownBy(() -> ProposalValidation.validate(batch(List.of(a, n1.mkdir("../x")), List.of(bytes("hello")))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchCarriesAtMostOneMebibyteOfFileData() {
        byte[] half = new byte[MIB / 2 + 1];
        String sha = io.pickbox.folder.Hashing.sha256Hex(half);
        Op.Put a = new Op.Put(n1.next(), "a", half.length, sha, List.of(sha), 0644, 0, 0, true);
        Op.Put b = new Op.Put(n1.next(), "b", half.length, sha, List.of(sha), 0644, 0, 0, true);
        assertThatThrownBy(() -> ProposalValidation.validate(batch(List.of(a, b), List.of(half, half))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 MiB");
    }

    @Test
    void chunksCannotBeBatched() {
        byte[] data = bytes("x");
        Op.Chunk c = new Op.Chunk(sha("x"), 1);
        assertThatThrownBy(() -> Proposal.batch(List.of(c, n1.mkdir("d")), List.of(ByteBuffer.wrap(data))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
