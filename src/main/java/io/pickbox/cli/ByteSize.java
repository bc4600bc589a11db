package io.pickbox.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size as typed after an option: bytes, or with K, M, G or T (powers of 1024; "GiB" and "GB" read the same). */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(?:([kmgt])(?:i?b)?|b)?");

    private ByteSize() {}

    /** @throws IllegalArgumentException text that is not a size, or one too large */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException("not a size: \"" + text + "\" (bytes, or e.g. 500M, 20G, 1T)");
        try {
            long n = Long.parseLong(m.group(1));
            int shift = m.group(2) == null ? 0 : 10 * ("kmgt".indexOf(m.group(2)) + 1);
            if (shift > 0 && n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("too large a size: \"" + text + "\"");
        }
    }
}
