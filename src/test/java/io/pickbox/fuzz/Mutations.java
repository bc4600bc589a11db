package io.pickbox.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Fuzz inputs for a parser: random bytes, which a parser refuses at its first check, and mostly
 * valid encodings damaged the ways that reach past it: bytes flipped, cut short, extended, spliced,
 * and 2-, 4- and 8-byte windows (where length and count fields sit) set to boundary values such as
 * 0, -1, 2^31-1 or 2^63-1.
 */
public final class Mutations {

    private static final long[] BOUNDARIES = {
            0, 1, 2, -1, -2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 4095, 4096, 4097,
            (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 1 << 24, 1 << 26, 1L << 30,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 8, 0xffffffffL, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE};

    private Mutations() {}

    /** Random bytes (a tenth), valid encodings as they are (a tenth), and valid encodings damaged (the rest). */
    public static Arbitrary<byte[]> of(Arbitrary<byte[]> valid) {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
        Arbitrary<byte[]> damaged = Combinators.combine(valid, Arbitraries.longs()).as((b, seed) -> damage(b, new Random(seed)));
        return Arbitraries.frequencyOf(
                Tuple.of(1, random),
                Tuple.of(1, valid),
                Tuple.of(8, damaged));
    }

    /** Text inputs: random strings, valid texts, and valid texts damaged as bytes (read back as Latin-1, every byte a char). */
    public static Arbitrary<String> ofText(Arbitrary<String> valid) {
        Arbitrary<String> random = Arbitraries.strings().ofMaxLength(300);
        Arbitrary<String> damaged = Combinators.combine(valid, Arbitraries.longs())
                .as((s, seed) -> new String(damage(s.getBytes(StandardCharsets.ISO_8859_1), new Random(seed)),
                        StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(
                Tuple.of(1, random),
                Tuple.of(1, valid),
                Tuple.of(8, damaged));
    }

    /** One to four damages in a row to a copy of {@code data}. */
    public static byte[] damage(byte[] data, Random random) {
        byte[] out = data.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) out = damageOnce(out, random);
        return out;
    }

    private static byte[] damageOnce(byte[] b, Random r) {
        switch (r.nextInt(9)) {
            case 0: { // one byte set to anything
                if (b.length == 0) return b;
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                return b;
            }
            case 1: { // one bit flipped
                if (b.length == 0) return b;
                int i = r.nextInt(b.length);
                b[i] ^= (byte) (1 << r.nextInt(8));
                return b;
            }
            case 2: // cut short
                return Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
            case 3: { // random bytes appended
                byte[] tail = new byte[1 + r.nextInt(64)];
                r.nextBytes(tail);
                return concat(b, tail);
            }
            case 4: // a 2-byte field set to a boundary value
                return window(b, r, 2);
            case 5: // a 4-byte field
            case 6:
                return window(b, r, 4);
            case 7: // an 8-byte field
                return window(b, r, 8);
            default: { // a slice removed, repeated or inserted from elsewhere
                if (b.length == 0) return b;
                int from = r.nextInt(b.length), to = from + r.nextInt(Math.min(64, b.length - from) + 1);
                byte[] slice = Arrays.copyOfRange(b, from, to);
                int at = r.nextInt(b.length + 1);
                return r.nextBoolean()
                        ? concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length))
                        : concat(concat(Arrays.copyOf(b, at), slice), Arrays.copyOfRange(b, at, b.length));
            }
        }
    }

    private static byte[] window(byte[] b, Random r, int width) {
        if (b.length < width) return b;
        long v = BOUNDARIES[r.nextInt(BOUNDARIES.length)];
        if (r.nextInt(4) == 0) v += r.nextInt(5) - 2;
        byte[] field = ByteBuffer.allocate(8).putLong(v).array();
        System.arraycopy(field, 8 - width, b, r.nextInt(b.length - width + 1), width);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
