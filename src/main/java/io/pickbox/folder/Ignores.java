package io.pickbox.folder;

import io.pickbox.os.RegularFiles;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.function.Predicate;

/**
 * Which paths are never replicated: the node's own state and temp files (always), and what the
 * folder's {@code .pickboxignore} says, in gitignore syntax (JGit's matcher). The rules file is
 * itself replicated, so every node applies the same rules once it has the file.
 */
public final class Ignores {

    private static final Logger LOG = LoggerFactory.getLogger(Ignores.class);
    public static final String RULES_FILE = ".pickboxignore";
    private static final Ignores BUILT_IN = new Ignores(null, () -> { });
    private static final long RECHECK_NANOS = 200_000_000L;

    private final Path root;
    private final Runnable onChange;
    private volatile IgnoreNode rules;
    private volatile FileTime rulesMtime;
    private volatile boolean checkedOnce;
    private volatile long checkedAt;

    private Ignores(Path root, Runnable onChange) {
        this.root = root;
        this.onChange = onChange;
    }

    /** The rules every node applies unconditionally. */
    public static Ignores builtIn() {
        return BUILT_IN;
    }

    /** Built-in rules plus the folder's {@code .pickboxignore}, re-read when it changes; {@code onChange} runs then. */
    public static Ignores forFolder(Path root, Runnable onChange) {
        Ignores i = new Ignores(root, onChange);
        i.reloadIfChanged();
        return i;
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
        return PathValidator.isTempName(last);
    }

    /** Whether {@code relPath} (normalized) is excluded from replication. */
    public boolean isIgnored(String relPath) {
        if (isInternal(relPath)) return true;
        if (root == null || relPath.isEmpty() || relPath.equals(RULES_FILE)) return false;
        reloadIfChanged();
        IgnoreNode node = rules;
        if (node == null) return false;
        // As in git, nothing below an ignored directory can be re-included.
        for (int i = relPath.indexOf('/'); i > 0; i = relPath.indexOf('/', i + 1)) {
            if (node.isIgnored(relPath.substring(0, i), true) == IgnoreNode.MatchResult.IGNORED) return true;
        }
        boolean dir = Files.isDirectory(root.resolve(relPath), LinkOption.NOFOLLOW_LINKS);
        return node.isIgnored(relPath, dir) == IgnoreNode.MatchResult.IGNORED;
    }

    public Predicate<String> asPredicate() {
        return this::isIgnored;
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (checkedOnce && now - checkedAt < RECHECK_NANOS) return;
        checkedOnce = true;
        checkedAt = now;
        Path file = root.resolve(RULES_FILE);
        FileTime mtime;
        try {
            mtime = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.getLastModifiedTime(file) : null;
        } catch (IOException e) {
            mtime = null;
        }
        if (java.util.Objects.equals(mtime, rulesMtime)) return;
        IgnoreNode fresh = null;
        if (mtime != null) {
            fresh = new IgnoreNode();
            try (InputStream in = Channels.newInputStream(RegularFiles.open(file, StandardOpenOption.READ))) {
                fresh.parse(in);
            } catch (IOException e) {
                LOG.warn("Cannot read {}: {}", RULES_FILE, e.toString());
                return;
            }
        }
        boolean first = rulesMtime == null && rules == null;
        rules = fresh;
        rulesMtime = mtime;
        if (!first || fresh != null) {
            LOG.info("Ignore rules {} ({} rules)", fresh == null ? "removed" : "loaded", fresh == null ? 0 : fresh.getRules().size());
            onChange.run();
        }
    }
}
