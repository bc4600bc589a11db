package io.pickbox.folder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names in the folder that cannot be replicated (a control character such as a newline, bytes that
 * are not UTF-8, a reserved name): each is skipped with one WARN per path, whoever met it first,
 * the watcher when it appears or a scan, and not again at every later scan.
 */
public final class SkippedNames {
    private static final Logger log = LoggerFactory.getLogger(SkippedNames.class);

    /** Bounded so that a folder full of bad names cannot grow memory forever across rescans. */
    private static final int MAX_REMEMBERED_WARNINGS = 10_000;
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();

    private SkippedNames() {}

    /**
     * True, after the WARN the first time, when {@code rawRel} (a path of the folder at
     * {@code root} as found on disk) is not a valid path and is skipped.
     */
    public static boolean skipIfInvalid(Path root, String rawRel) {
        try {
            PathValidator.normalize(rawRel);
            return false;
        } catch (InvalidPathException e) {
            warnOnce(root, rawRel, e.getMessage());
            return true;
        }
    }

    /** Why a name that is not UTF-8 is skipped. */
    public static final String NOT_UTF8 = "its name is not valid UTF-8; rename it to be replicated";

    /**
     * True, after the WARN the first time, when {@code fileName} (a name as listed on disk) is not
     * valid UTF-8: {@code rawRel}, the path decoded from it with U+FFFD in place of the bytes that
     * are not, names no file, here or on any node.
     */
    public static boolean skipIfNotUtf8(Path root, Path fileName, String rawRel) {
        if (fileName.getFileSystem().getPath(fileName.toString()).equals(fileName)) return false;
        warnOnce(root, rawRel, NOT_UTF8);
        return true;
    }

    /** Says once per path that {@code rawRel} is skipped, and why. */
    public static void warnOnce(Path root, String rawRel, String problem) {
        if (warned.size() >= MAX_REMEMBERED_WARNINGS) {
            warned.clear();
        }
        if (warned.add(root + "\0" + rawRel)) {
            log.warn("skipping {} in {}: {}", InvalidPathException.quote(rawRel), root, problem);
        }
    }
}
