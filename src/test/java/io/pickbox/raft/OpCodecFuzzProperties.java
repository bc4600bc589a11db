package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.Hashing;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.index.Op;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Random;
import java.util.LinkedHashSet;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of what a leader decodes from a client's request and every node from a log entry: the
 * op header, a whole proposal with its validation, and apply results. Every input decodes or is
 * refused with an {@link IllegalArgumentException}, nothing else.
 */
@AddLifecycleHook(FuzzTries.class)
class OpCodecFuzzProperties {

    /** An op with the bytes it carries (empty for most). */
    record Carried(Op op, byte[] data) {}

    // ------------------------------------------------------------ generators of valid input

    private static Arbitrary<String> paths() {
        return Arbitraries.of("a", "d/x.txt", "dir/sub/file.bin", "é.txt", "a b/c");
    }

    private static Arbitrary<Origin> origins() {
        return Combinators.combine(Arbitraries.of("node1", "n-2"), Arbitraries.longs().between(1, 1000)).as(Origin::new);
    }

    private static Arbitrary<String> hashes() {
        return Arbitraries.bytes().array(byte[].class).ofSize(8).map(Hashing::sha256Hex);
    }

    private static Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
    }

    private static Arbitrary<Carried> chunks() {
        return data().map(d -> new Carried(new Op.Chunk(Hashing.sha256Hex(d), d.length), d));
    }

    /** Ops that may share an entry: every kind but a chunk. */
    private static Arbitrary<Carried> batchable() {
        Arbitrary<Long> l = Arbitraries.longs().between(0, 1L << 40);
        Arbitrary<Integer> mode = Arbitraries.of(0644, 0755);
        Arbitrary<Carried> inline = Combinators.combine(origins(), paths(), data(), l).as((o, p, d, mtime) -> {
            String sha = Hashing.sha256Hex(d);
            return new Carried(new Op.Put(o, p, d.length, sha, List.of(sha), 0644, mtime, 0, true), d);
        });
        Arbitrary<Carried> chunked = Combinators.combine(origins(), paths(), Arbitraries.longs().between(0, 3L << 20),
                hashes(), hashes().list().ofSize(3), l).as((o, p, size, sha, cs, mtime) -> {
                    int n = (int) ((size + Hashing.CHUNK_SIZE - 1) / Hashing.CHUNK_SIZE);
                    return new Carried(new Op.Put(o, p, size, sha, cs.subList(0, n), 0644, mtime, 3, false), new byte[0]);
                });
        Arbitrary<Carried> mkdir = Combinators.combine(origins(), paths(), mode, l).as((o, p, m, t) -> none(new Op.Mkdir(o, p, m, t)));
        Arbitrary<Carried> delete = Combinators.combine(origins(), paths(), l, l).as((o, p, b, s) -> none(new Op.Delete(o, p, b, s)));
        Arbitrary<Carried> rename = Combinators.combine(origins(), paths(), paths(), l, l)
                .as((o, f, t, sb, db) -> none(new Op.Rename(o, f, t, sb, db)));
        Arbitrary<Carried> meta = Combinators.combine(origins(), paths(), mode, l, l).as((o, p, m, t, b) -> none(new Op.Meta(o, p, m, t, b)));
        Arbitrary<Carried> hello = Combinators.combine(origins(), Arbitraries.of("10.0.0.1:7070", "[::1]:7070", "host.example:1"))
                .as((o, a) -> none(new Op.Hello(o, a)));
        Arbitrary<TrustChange> change = Arbitraries.oneOf(
                Combinators.combine(hashes(), l, Arbitraries.of(true, false)).as(TrustChange.Invite::new),
                Combinators.combine(Arbitraries.of("node1", "n-2"), Arbitraries.of("1f", "abcdef"), l, Arbitraries.of(true, false),
                        Arbitraries.oneOf(hashes(), Arbitraries.just(""))).as(TrustChange.Admit::new),
                Arbitraries.of("node1", "n-2").map(TrustChange.Revoke::new));
        Arbitrary<Carried> trust = Combinators.combine(origins(), l, change).as((o, at, c) -> none(new Op.Trust(o, at, c)));
        return Arbitraries.oneOf(inline, chunked, mkdir, delete, rename, meta, hello, trust);
    }

    private static Carried none(Op op) {
        return new Carried(op, new byte[0]);
    }

    /** Valid entries: a chunk alone, one op, or a batch of several. */
    private static Arbitrary<List<Carried>> entries() {
        return Arbitraries.oneOf(chunks().map(List::of), batchable().list().ofMinSize(1).ofMaxSize(4));
    }

    private static byte[] proposal(List<Carried> entry) {
        List<Op> ops = new ArrayList<>();
        List<ByteBuffer> data = new ArrayList<>();
        for (Carried c : entry) {
            ops.add(c.op());
            data.add(ByteBuffer.wrap(c.data()));
        }
        ByteString content = ops.size() == 1
                ? Proposal.message(ops.get(0), data.get(0)).getContent()
                : Proposal.batch(ops, data).getContent();
        return content.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> headers() {
        return Mutations.of(entries().map(e -> OpCodec.encodeAll(e.stream().map(Carried::op).toList())));
    }

    /** Whole requests damaged, and requests whose header alone is damaged, framed with its right length so the ops are read. */
    @Provide
    Arbitrary<byte[]> proposals() {
        Arbitrary<byte[]> reframed = Combinators.combine(entries(), Arbitraries.longs()).as((entry, seed) -> {
            byte[] whole = proposal(entry);
            int headerLength = ByteBuffer.wrap(whole).getInt();
            byte[] header = Mutations.damage(Arrays.copyOfRange(whole, 4, 4 + headerLength), new Random(seed));
            return ByteBuffer.allocate(whole.length - headerLength + header.length).putInt(header.length).put(header)
                    .put(whole, 4 + headerLength, whole.length - 4 - headerLength).array();
        });
        return Arbitraries.oneOf(Mutations.of(entries().map(OpCodecFuzzProperties::proposal)), reframed);
    }

    @Provide
    Arbitrary<byte[]> results() {
        Arbitrary<Result> result = Combinators.combine(Arbitraries.of(Result.Status.class), paths().injectNull(0.3),
                Arbitraries.longs(), Arbitraries.strings().ofMaxLength(40).injectNull(0.3)).as(Result::new);
        return Mutations.of(result.list().ofMinSize(1).ofMaxSize(4).map(OpCodec::encodeResults));
    }

    // ------------------------------------------------------------ properties

    @Property(tries = 3000)
    void anEntryHeaderDecodesOrIsRefused(@ForAll("headers") byte[] header) {
        Throwable t = catchThrowable(() -> {
            List<Op> ops = OpCodec.decodeAll(header);
            // whatever decoded is well-formed: it encodes to bytes that decode to it again
            assertThat(OpCodec.decodeAll(OpCodec.encodeAll(ops))).isEqualTo(ops);
        });
        assertRefusedClearly(t);
    }

    @Property(tries = 3000)
    void aProposalParsesAndValidatesOrIsRefused(@ForAll("proposals") byte[] request) {
        Throwable t = catchThrowable(() -> {
            Proposal p = Proposal.parse(ByteString.copyFrom(request));
            ProposalValidation.validate(p);
            // what the state machine asks of an entry once it is valid
            assertThat(p.blobs().keySet()).containsExactlyElementsOf(new LinkedHashSet<>(p.blobHashes()));
            p.origin();
        });
        assertRefusedClearly(t);
    }

    @Property(tries = 2000)
    void applyResultsDecodeOrAreRefused(@ForAll("results") byte[] reply) {
        Throwable t = catchThrowable(() -> {
            List<Result> results = OpCodec.decodeResults(reply);
            assertThat(OpCodec.decodeResults(OpCodec.encodeResults(results))).isEqualTo(results);
        });
        assertRefusedClearly(t);
    }

    private static void assertRefusedClearly(Throwable t) {
        Outcomes.count(t);
        if (t == null) return;
        assertThat(t).isExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(t.getMessage()).isNotBlank();
    }
}
