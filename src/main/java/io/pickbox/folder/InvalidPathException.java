package io.pickbox.folder;

/**
 * A relative path that cannot be part of the synced folder. The message names the problem and the
 * offending path (control characters escaped so the message is safe to log).
 *
 * <p>Note: not to be confused with {@link java.nio.file.InvalidPathException}; this one is about
 * Pickbox's own rules for replicated paths.
 */
public class InvalidPathException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    /** How much of each end of a long path a message shows. */
    private static final int QUOTED_END = 100;

    private final String path;

    public InvalidPathException(String path, String problem) {
        super("invalid path " + quote(path) + ": " + problem);
        this.path = path;
    }

    /** For callers with their own wording; {@link #path()} is then null. */
    public InvalidPathException(String message) {
        super(message);
        this.path = null;
    }

    /** The raw path as it was given (may be null). */
    public String path() {
        return path;
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        if (s.length() > 2 * QUOTED_END + 40) {
            // A path of thousands of characters would be most of a log line: its ends tell it.
            return quote(s.substring(0, QUOTED_END)) + " ... (" + s.length() + " characters) ... " + quote(s.substring(s.length() - QUOTED_END));
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
