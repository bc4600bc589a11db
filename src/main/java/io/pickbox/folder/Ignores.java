package io.pickbox.folder;

import java.util.function.Predicate;

/**
 * Which paths are never replicated.
 *
 * <p>Today only the built-in rules exist ({@link #isInternal}). User-defined {@code .pickboxignore}
 * rules are meant to plug in as further instances combined in {@link #isIgnored}; callers should
 * already pass {@link #asPredicate()} (not {@code Ignores::isInternal}) where user rules will
 * apply, so adding them later changes no call sites.
 */
public final class Ignores {
    private static final Ignores BUILT_IN = new Ignores();

    private Ignores() {}

    /** The rules every node applies unconditionally. */
    public static Ignores builtIn() {
        return BUILT_IN;
    }

    /**
     * True for the node's private state dir ({@code .pickbox} and everything under it) and for
     * the materializer's temp files (last segment starting with {@code .pickbox-tmp-}). Works on
     * raw or normalized paths; the empty path (the root) is not internal.
     */
    public static boolean isInternal(String relPath) {
        if (relPath == null || relPath.isEmpty()) {
            return false;
        }
        int firstSlash = relPath.indexOf('/');
        String first = firstSlash < 0 ? relPath : relPath.substring(0, firstSlash);
        if (first.equals(PathValidator.STATE_DIR)) {
            return true;
        }
        String last = relPath.substring(relPath.lastIndexOf('/') + 1);
        return last.startsWith(PathValidator.TEMP_PREFIX);
    }

    /** Whether {@code relPath} (normalized) is excluded from replication. */
    public boolean isIgnored(String relPath) {
        return isInternal(relPath);
    }

    public Predicate<String> asPredicate() {
        return this::isIgnored;
    }
}
