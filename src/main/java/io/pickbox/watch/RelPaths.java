package io.pickbox.watch;

import java.nio.file.Path;

/** Relative-path helpers; the watch package speaks '/'-separated strings so callers never see OS separators. */
final class RelPaths {
    private RelPaths() {}

    static String child(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    static Path resolve(Path root, String rel) {
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** True when path is prefix itself or lies below it ("" is the ancestor of everything). */
    static boolean isSelfOrBelow(String path, String prefix) {
        if (prefix.isEmpty()) {
            return true;
        }
        return path.startsWith(prefix)
                && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** Rewrites path (which must be self-or-below {@code from}) to live under {@code to}. */
    static String rebase(String path, String from, String to) {
        String rest = path.substring(from.length());
        if (to.isEmpty() && rest.startsWith("/")) {
            return rest.substring(1);
        }
        return to + rest;
    }

    /** A file name from a WatchEvent context; normalised so Windows separators never leak out. */
    static String name(Path fileName) {
        String s = fileName.toString();
        String sep = fileName.getFileSystem().getSeparator();
        return sep.equals("/") ? s : s.replace(sep, "/");
    }
}
