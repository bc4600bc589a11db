package io.pickbox.transfer;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoded URL parts read strictly: bytes that are not UTF-8 are an error, not U+FFFD
 * (decoders replace them, and a path would then name another file than the one sent).
 */
public final class PercentEncoding {

    private PercentEncoding() {
    }

    /**
     * Whether every run of percent-encoded bytes in {@code raw} (a URI path, a query string or a
     * header value, still encoded; null counts as valid) decodes as UTF-8, and every {@code %} starts
     * an escape.
     */
    public static boolean isUtf8(String raw) {
        if (raw == null) return true;
        int i = raw.indexOf('%');
        while (i >= 0) {
            ByteBuffer run = ByteBuffer.allocate(raw.length() / 3 + 1);
            while (i < raw.length() && raw.charAt(i) == '%') {
                if (i + 2 >= raw.length()) return false;
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return false;
                run.put((byte) (hi << 4 | lo));
                i += 3;
            }
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(run.flip());
            } catch (CharacterCodingException e) {
                return false;
            }
            i = raw.indexOf('%', i);
        }
        return true;
    }

    /**
     * Decodes {@code raw} as {@link URLDecoder} does ({@code +} is a space), refusing bytes that are not UTF-8.
     *
     * @throws IllegalArgumentException when it holds a bad escape or bytes that are not UTF-8
     */
    public static String decode(String raw) {
        if (!isUtf8(raw)) throw new IllegalArgumentException("percent-encoded bytes that are not UTF-8: " + raw);
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
