package io.pickbox.folder;

import java.text.Normalizer;
import java.util.function.Predicate;

/**
 * Names for conflict copies: when two nodes change the same file concurrently, the loser's
 * version is kept next to the original as {@code stem.conflict-<origin>-<index>.ext}.
 *
 * <p>Deterministic on purpose: every node computes the same name from the same Raft entry, so the
 * copy converges without extra coordination (as long as {@code taken} answers the same everywhere,
 * i.e. is evaluated against replicated state, not the local disk).
 */
public final class ConflictNames {
    private static final int MAX_ORIGIN_CHARS = 64;
    private static final int MAX_ATTEMPTS = 1_000_000;

    private ConflictNames() {}

    /**
     * Returns a path in the same directory as {@code path} for a conflict copy. The extension is
     * the last one only ({@code a.tar.gz -> a.tar.conflict-n1-7.gz}); a leading dot is part of the
     * stem ({@code .bashrc -> .bashrc.conflict-n1-7}). The stem is truncated on code point
     * boundaries so the name fits in 255 UTF-8 bytes. If {@code taken} accepts a candidate, a
     * counter is appended: {@code -2}, {@code -3}, ...
     *
     * @param path   a path valid per {@link PathValidator}
     * @param origin the node id that produced the conflicting version; anything outside
     *               {@code [A-Za-z0-9_-]} is replaced by '_'
     * @throws InvalidPathException if {@code path} is not valid
     */
    public static String conflictPath(String path, String origin, long index, Predicate<String> taken) {
        String normalized = PathValidator.normalize(path);
        int slash = normalized.lastIndexOf('/');
        String dirPrefix = slash < 0 ? "" : normalized.substring(0, slash + 1);
        String name = normalized.substring(slash + 1);
        String tag = ".conflict-" + sanitizeOrigin(origin) + "-" + index;

        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String suffix = attempt == 1 ? tag : tag + "-" + attempt;
            String candidate = dirPrefix + conflictName(name, suffix);
            // A truncated stem can recreate the original name (e.g. a 255-byte "x.conflict-n1-7.txt").
            if (!candidate.equals(normalized) && !taken.test(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free conflict name for " + normalized + " after " + MAX_ATTEMPTS + " attempts");
    }

    /**
     * What the name of every conflict copy {@code origin} made of {@code path} starts with (those
     * whose stem was not shortened to fit): {@code dir/stem.conflict-<origin>-}.
     */
    public static String copiesPrefix(String path, String origin) {
        String normalized = PathValidator.normalize(path);
        int slash = normalized.lastIndexOf('/');
        String name = normalized.substring(slash + 1);
        int dot = extensionDot(name);
        String stem = dot < 0 ? name : name.substring(0, dot);
        return normalized.substring(0, slash + 1) + stem + ".conflict-" + sanitizeOrigin(origin) + "-";
    }

    /** Where the last extension of {@code name} starts, or -1: a leading or trailing dot starts none. */
    private static int extensionDot(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && dot < name.length() - 1 ? dot : -1;
    }

    static String sanitizeOrigin(String origin) {
        if (origin == null || origin.isEmpty()) {
            return "unknown";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < origin.length() && sb.length() < MAX_ORIGIN_CHARS; i++) {
            char c = origin.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            sb.append(safe ? c : '_');
        }
        return sb.toString();
    }

    private static String conflictName(String name, String suffix) {
        int dot = extensionDot(name);
        boolean hasExtension = dot >= 0;
        String stem = hasExtension ? name.substring(0, dot) : name;
        String ext = hasExtension ? name.substring(dot) : "";
        int fixedBytes = PathValidator.utf8Length(suffix) + PathValidator.utf8Length(ext);
        if (hasExtension && fixedBytes >= PathValidator.MAX_SEGMENT_BYTES) {
            // An absurdly long "extension" is not really one; keep at least some stem instead.
            stem = name;
            ext = "";
        }
        String result = stem + suffix + ext;
        // Truncating an NFC string can in rare cases yield a non-NFC one, so measure after
        // normalizing and shrink by whole code points until it fits.
        while (PathValidator.utf8Length(result = nfc(stem + suffix + ext)) > PathValidator.MAX_SEGMENT_BYTES) {
            stem = dropLastCodePoint(stem);
        }
        return result;
    }

    private static String dropLastCodePoint(String s) {
        if (s.isEmpty()) {
            throw new IllegalStateException("conflict suffix alone exceeds the name limit");
        }
        return s.substring(0, s.offsetByCodePoints(s.length(), -1));
    }

    private static String nfc(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }
}
