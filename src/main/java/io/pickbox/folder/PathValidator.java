package io.pickbox.folder;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The single definition of which relative paths may exist in the synced folder, and their canonical
 * spelling. Every path that crosses a node boundary (Raft log, transfer, index) must go through
 * {@link #normalize(String)}: a path accepted here can never escape the folder root or touch the
 * node's private state.
 *
 * <p>Canonical form: Unicode NFC, '/' separators, at least one segment, no leading or trailing '/',
 * no empty, "." or ".." segments, no control characters (U+0000..U+001F, U+007F), no backslash, no
 * Windows drive prefix ("C:"), well-formed UTF-16 (no lone surrogates), each segment at most 255
 * UTF-8 bytes and the whole path at most 4096 UTF-8 bytes; the first segment is never ".pickbox"
 * and no segment starts with ".pickbox-tmp-".
 *
 * <p>Deliberately strict: inputs such as "a//b", "a/" or "./a" are rejected rather than silently
 * repaired, because two spellings of one file on different nodes would be a replication bug that is
 * far easier to find at the boundary than later. Only Unicode normalization is applied, since
 * NFD vs NFC is an artefact of the source OS (macOS), not of the caller.
 */
public final class PathValidator {
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;
    public static final String STATE_DIR = ".pickbox";
    public static final String TEMP_PREFIX = ".pickbox-tmp-";

    /** Whether a file name is one of the node's own temp files. */
    public static boolean isTempName(String name) {
        return name.startsWith(TEMP_PREFIX);
    }

    private PathValidator() {}

    /**
     * Returns the canonical form of {@code raw}.
     *
     * @throws InvalidPathException naming the problem and the path
     */
    public static String normalize(String raw) {
        if (raw == null) {
            throw new InvalidPathException(null, "path is null");
        }
        if (raw.isEmpty()) {
            throw new InvalidPathException(raw, "path is empty");
        }
        checkCharacters(raw);
        String path = Normalizer.normalize(raw, Normalizer.Form.NFC);
        if (path.startsWith("/")) {
            throw new InvalidPathException(raw, "absolute paths are not allowed");
        }
        if (path.endsWith("/")) {
            throw new InvalidPathException(raw, "trailing '/' is not allowed");
        }
        if (path.length() >= 2 && isAsciiLetter(path.charAt(0)) && path.charAt(1) == ':') {
            throw new InvalidPathException(raw, "Windows drive prefixes are not allowed");
        }
        if (utf8Length(path) > MAX_PATH_BYTES) {
            throw new InvalidPathException(raw, "path longer than " + MAX_PATH_BYTES + " UTF-8 bytes");
        }
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            checkSegment(raw, segments[i], i == 0);
        }
        return path;
    }

    /** True if {@link #normalize(String)} would accept {@code raw}. */
    public static boolean isValid(String raw) {
        try {
            normalize(raw);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /**
     * Normalizes {@code rel} and resolves it under {@code root}. The lexical containment check is
     * redundant with the rules above; it exists so that a future bug in them cannot turn into a
     * write outside the folder. It does not (and cannot, without racing) guard against symlinks
     * inside the folder; writers must not follow links.
     */
    public static Path resolve(Path root, String rel) {
        String normalized = normalize(rel);
        Path base = root.normalize();
        Path resolved = base.resolve(normalized).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new InvalidPathException(rel, "resolves outside of " + root);
        }
        return resolved;
    }

    /**
     * Key for detecting paths that would collide on a case-insensitive file system (macOS,
     * Windows): NFC, then {@code toLowerCase(Locale.ROOT)}. Two paths collide iff their keys are
     * equal. This is simple per-character lower-casing, not full Unicode case folding (so "ß" and
     * "ss" do not collide), which matches what APFS and NTFS actually treat as equal closely
     * enough for warning purposes.
     */
    public static String caseFold(String normalizedPath) {
        return Normalizer.normalize(normalizedPath, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void checkCharacters(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == 0) {
                throw new InvalidPathException(raw, "NUL character at index " + i);
            }
            if (c < 0x20 || c == 0x7F) {
                throw new InvalidPathException(raw, String.format("control character U+%04X at index %d", (int) c, i));
            }
            if (c == '\\') {
                throw new InvalidPathException(raw, "backslash at index " + i + " (use '/' as separator)");
            }
            // A lone surrogate has no UTF-8 encoding; it would silently become '?' on disk.
            if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidPathException(raw, "unpaired surrogate at index " + i + " (not valid Unicode)");
            }
        }
    }

    private static void checkSegment(String raw, String segment, boolean first) {
        if (segment.isEmpty()) {
            throw new InvalidPathException(raw, "empty segment ('//')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw new InvalidPathException(raw, "'" + segment + "' segments are not allowed");
        }
        if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
            throw new InvalidPathException(raw, "segment longer than " + MAX_SEGMENT_BYTES + " UTF-8 bytes");
        }
        if (first && segment.equals(STATE_DIR)) {
            throw new InvalidPathException(raw, "'" + STATE_DIR + "' is the node's private state directory");
        }
        if (segment.startsWith(TEMP_PREFIX)) {
            throw new InvalidPathException(raw, "names starting with '" + TEMP_PREFIX + "' are reserved for temp files");
        }
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
