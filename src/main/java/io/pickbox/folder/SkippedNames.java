package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names in the folder that cannot be replicated (a control character such as a newline, bytes that
 * are not UTF-8, a reserved name): each is skipped with one WARN per path, whoever met it first,
 * the watcher when it appears or a scan, and not again at every later scan. The last ones met are
 * kept by folder for the status report ({@link #current}), which shows those still there.
 */
public final class SkippedNames {
    private static final Logger log = LoggerFactory.getLogger(SkippedNames.class);

    /** Bounded so that a folder full of bad names cannot grow memory forever across rescans. */
    private static final int MAX_REMEMBERED_WARNINGS = 10_000;
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** The names met last in each folder, and why they are skipped: the status report's. */
    private static final int MAX_KEPT_PER_FOLDER = 200;
    private static final Map<Path, Map<String, String>> kept = new ConcurrentHashMap<>();

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
        Map<String, String> here = kept.computeIfAbsent(key(root), r -> new LinkedHashMap<>());
        synchronized (here) {
            here.remove(rawRel);
            here.put(rawRel, problem);
            if (here.size() > MAX_KEPT_PER_FOLDER) here.remove(here.keySet().iterator().next());
        }
    }

    /**
     * Up to {@code max} names of the folder at {@code root} skipped lately and still there, the
     * newest first, with why (names as decoded, U+FFFD for bytes that are not UTF-8). One that is
     * gone (renamed, deleted) is forgotten. Each directory they are in is listed once.
     */
    public static Map<String, String> current(Path root, int max) {
        Map<String, String> here = kept.get(key(root));
        if (here == null) return Map.of();
        List<Map.Entry<String, String>> newestFirst;
        synchronized (here) {
            newestFirst = new ArrayList<>(here.entrySet());
        }
        java.util.Collections.reverse(newestFirst);
        // A directory that cannot be listed maps to null, and is not tried again for its next name.
        Map<String, Set<String>> listed = new java.util.HashMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : newestFirst) {
            if (out.size() >= max) break;
            String rawRel = e.getKey();
            String dir = FolderDir.parentOf(rawRel);
            if (!listed.containsKey(dir)) listed.put(dir, namesIn(root, dir));
            Set<String> names = listed.get(dir);
            if (names == null || names.contains(FolderDir.nameOf(rawRel))) {
                out.put(rawRel, e.getValue());
            } else {
                synchronized (here) {
                    here.remove(rawRel, e.getValue());
                }
            }
        }
        return out;
    }

    /**
     * The names in directory {@code rel} as decoded, reached without following a symlink; empty
     * when it is gone, null when it cannot be listed (a path too long, say).
     */
    private static Set<String> namesIn(Path root, String rel) {
        try (FolderDir dir = FolderDir.open(root, rel)) {
            return new java.util.HashSet<>(dir.list());
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException | SymlinkInPathException e) {
            return Set.of();
        } catch (IOException | java.nio.file.DirectoryIteratorException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static Path key(Path root) {
        return root.toAbsolutePath().normalize();
    }
}
