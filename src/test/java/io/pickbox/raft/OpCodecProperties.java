package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.index.Op;
import io.pickbox.index.Op.Origin;
import io.pickbox.index.Result;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class OpCodecProperties {

    // ------------------------------------------------------------ generators

    /** Any string DataOutputStream.writeUTF accepts (lone surrogates and NUL included). */
    @Provide
    Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abAB./-_ ").ofMaxLength(20),
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(300));
    }

    Arbitrary<Origin> origins() {
        return Combinators.combine(strings(), Arbitraries.longs()).as(Origin::new);
    }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<String> s = strings();
        Arbitrary<Long> l = Arbitraries.longs();
        Arbitrary<Integer> i = Arbitraries.integers();
        Arbitrary<List<String>> chunks = s.list().ofMaxSize(6);
        Arbitrary<Op> chunk = Combinators.combine(s, i).as(Op.Chunk::new);
        Arbitrary<Op> put = Combinators.combine(origins(), s, l, s, chunks, i, l, l)
                .flatAs((o, path, size, sha, cs, mode, mtime, base) -> Arbitraries.of(true, false)
                        .map(inline -> new Op.Put(o, path, size, sha, cs, mode, mtime, base, inline)));
        Arbitrary<Op> mkdir = Combinators.combine(origins(), s, i, l).as(Op.Mkdir::new);
        Arbitrary<Op> delete = Combinators.combine(origins(), s, l, l).as(Op.Delete::new);
        Arbitrary<Op> rename = Combinators.combine(origins(), s, s, l, l).as(Op.Rename::new);
        Arbitrary<Op> meta = Combinators.combine(origins(), s, i, l, l).as(Op.Meta::new);
        Arbitrary<Op> hello = Combinators.combine(origins(), s).as(Op.Hello::new);
        return Arbitraries.oneOf(chunk, put, mkdir, delete, rename, meta, hello);
    }

    @Provide
    Arbitrary<Result> results() {
        Arbitrary<String> nullable = strings().injectNull(0.3);
        return Combinators.combine(Arbitraries.of(Result.Status.class), nullable, Arbitraries.longs(),
                strings().injectNull(0.3)).as(Result::new);
    }

    // ------------------------------------------------------------ properties

    @Property(tries = 2000)
    void anyOpRoundTrips(@ForAll("ops") Op op) {
        assertThat(OpCodec.decode(OpCodec.encode(op))).isEqualTo(op);
    }

    @Property(tries = 1000)
    void anyResultRoundTrips(@ForAll("results") Result result) {
        assertThat(OpCodec.decodeResult(OpCodec.encode(result))).isEqualTo(result);
    }

    @Property(tries = 5000)
    void randomBytesDecodeOrThrowOnlyIllegalArgument(@ForAll byte[] data) {
        assertOnlyIllegalArgument(data);
    }

    /** Random bytes behind a valid type byte reach deeper into the decoder. */
    @Property(tries = 5000)
    void randomBytesAfterAValidTypeDecodeOrThrowOnlyIllegalArgument(@ForAll @IntRange(min = 1, max = 7) int type,
                                                                    @ForAll byte[] rest) {
        byte[] data = new byte[rest.length + 1];
        data[0] = (byte) type;
        System.arraycopy(rest, 0, data, 1, rest.length);
        assertOnlyIllegalArgument(data);
    }

    /** Flipping any byte of a valid op yields an op or an IllegalArgumentException, nothing else. */
    @Property(tries = 2000)
    void corruptedOpsDecodeOrThrowOnlyIllegalArgument(@ForAll("ops") Op op, @ForAll int position, @ForAll byte value) {
        byte[] data = OpCodec.encode(op);
        data[Math.floorMod(position, data.length)] = value;
        assertOnlyIllegalArgument(data);
    }

    @Property(tries = 1000)
    void truncatedOpsAreRefused(@ForAll("ops") Op op, @ForAll int cut) {
        byte[] data = OpCodec.encode(op);
        byte[] prefix = Arrays.copyOf(data, Math.floorMod(cut, data.length));
        Throwable t = catchThrowable(() -> OpCodec.decode(prefix));
        assertThat(t).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 3000)
    void randomBytesDecodeAsResultOrThrowOnlyIllegalArgument(@ForAll byte[] data) {
        Throwable t = catchThrowable(() -> OpCodec.decodeResult(data));
        if (t != null) assertThat(t).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    private static void assertOnlyIllegalArgument(byte[] data) {
        Throwable t = catchThrowable(() -> OpCodec.decode(data));
        if (t == null) {
            // whatever decoded is a well-formed op: it encodes, and its encoding decodes to it again
            Op op = OpCodec.decode(data);
            assertThatCode(() -> OpCodec.encode(op)).doesNotThrowAnyException();
            assertThat(OpCodec.decode(OpCodec.encode(op))).isEqualTo(op);
        } else {
            assertThat(t).isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }
}
