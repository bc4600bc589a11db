package io.pickbox.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Encodings of keys and small values the tables share, so that every reader decodes them the same way. */
public final class Keys {
    private Keys() {}

    public static byte[] of(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The order of {@link #of} the two strings' keys (the order of their UTF-8 bytes, code point
     * order), without encoding them.
     */
    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x == y) continue;
            // A surrogate stands for a code point above U+FFFF: after every character that is not one.
            boolean sx = Character.isSurrogate(x), sy = Character.isSurrogate(y);
            if (sx != sy) return sx ? 1 : -1;
            return Character.compare(x, y);
        }
        return Integer.compare(a.length(), b.length());
    }

    public static String string(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    public static byte[] ofLong(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    public static long toLong(byte[] bytes) {
        if (bytes.length != Long.BYTES) throw new StoreException("not a long: " + bytes.length + " bytes");
        return ByteBuffer.wrap(bytes).getLong();
    }

    /** The smallest key after every key starting with {@code prefix}, or null if there is none (all 0xFF). */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }
}
