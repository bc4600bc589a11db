package io.pickbox.folder;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a subtree of the synced folder as the replication layer sees it: normalized relative
 * paths, no symlink following, internal and ignored entries left out.
 */
public final class TreeScanner {
    private static final Logger log = LoggerFactory.getLogger(TreeScanner.class);

    /** Bounded so that a folder full of bad names cannot grow memory forever across rescans. */
    private static final int MAX_REMEMBERED_WARNINGS = 10_000;
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();

    private TreeScanner() {}

    /**
     * Visits every file, directory and symlink below {@code root/relDir} (not the start directory
     * itself) in depth-first pre-order: a directory right before its contents, siblings in name
     * order.
     *
     * <ul>
     *   <li>Internal entries ({@link Ignores#isInternal}) are skipped silently, without descending.
     *   <li>Entries whose name is not a valid path (or cannot be addressed by its normalized path,
     *       e.g. an NFD name on Linux or bytes that are not UTF-8) are skipped with one WARN per
     *       path per JVM, without descending.
     *   <li>Entries for which {@code ignored} is true are skipped without descending.
     *   <li>Entries that vanish during the walk are skipped silently; so is a missing start dir.
     * </ul>
     *
     * @param relDir  "" for the root, otherwise a valid relative path
     * @param visitor receives the normalized relative path and its (non-null) stat
     * @throws NoSuchFileException if {@code root} itself does not exist
     */
    public static void scan(Path root, String relDir, Predicate<String> ignored,
                            BiConsumer<String, FileStat> visitor) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "folder root does not exist or is not a directory");
        }
        String start = relDir.isEmpty() ? "" : PathValidator.normalize(relDir);
        Path startDir = start.isEmpty() ? root : root.resolve(start);
        if (!start.isEmpty() && !Files.isDirectory(startDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // Depth-first pre-order with an explicit stack: paths can nest ~2000 levels deep.
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(start, list(startDir)));
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.entries.hasNext()) {
                stack.pop();
                continue;
            }
            Path entry = frame.entries.next();
            String rel = visit(root, frame.relDir, entry, ignored, visitor);
            if (rel != null) {
                stack.push(new Frame(rel, list(entry)));
            }
        }
    }

    /**
     * The entries directly in {@code root/relDir} that {@link #scan} would visit there, in name
     * order, without descending: for walks that hold one directory at a time.
     */
    public static List<Map.Entry<String, FileStat>> children(Path root, String relDir, Predicate<String> ignored) throws IOException {
        String dir = relDir.isEmpty() ? "" : PathValidator.normalize(relDir);
        Path path = dir.isEmpty() ? root : root.resolve(dir);
        List<Map.Entry<String, FileStat>> out = new ArrayList<>();
        if (!dir.isEmpty() && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) return out;
        for (Iterator<Path> it = list(path); it.hasNext(); ) {
            visit(root, dir, it.next(), ignored, (rel, stat) -> out.add(Map.entry(rel, stat)));
        }
        return out;
    }

    private record Frame(String relDir, Iterator<Path> entries) {}

    /** Sorted children of {@code dir}; empty if it vanished or was replaced by a non-directory. */
    private static Iterator<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Collections.emptyIterator();
        }
        entries.sort(null);
        return entries.iterator();
    }

    /** Visits one entry if it qualifies; returns its relative path if it is a directory to descend into. */
    private static String visit(Path root, String relDir, Path entry, Predicate<String> ignored,
                                BiConsumer<String, FileStat> visitor) throws IOException {
        String name = entry.getFileName().toString();
        String rawRel = relDir.isEmpty() ? name : relDir + "/" + name;
        if (Ignores.isInternal(rawRel)) {
            return null;
        }
        String rel = addressablePath(root, entry.getParent(), entry, name, rawRel);
        if (rel == null || ignored.test(rel)) {
            return null;
        }
        FileStat stat = FileStat.read(entry);
        if (stat == null) {
            return null;
        }
        visitor.accept(rel, stat);
        return stat.kind() == FileStat.Kind.DIR ? rel : null;
    }

    /**
     * The normalized relative path of {@code entry}, or null (after a WARN) if the entry cannot be
     * replicated under that path.
     */
    private static String addressablePath(Path root, Path dir, Path entry, String name, String rawRel) throws IOException {
        String rel;
        try {
            rel = PathValidator.normalize(rawRel);
        } catch (InvalidPathException e) {
            warnOnce(root, rawRel, e.getMessage());
            return null;
        }
        // On Linux the decoded name can differ from the on-disk bytes (invalid UTF-8 becomes
        // U+FFFD); such a path would point at a different, non-existent file on every node.
        if (!dir.resolve(name).equals(entry)) {
            warnOnce(root, rawRel, "file name is not valid in the platform encoding");
            return null;
        }
        String nfcName = Normalizer.normalize(name, Normalizer.Form.NFC);
        if (!nfcName.equals(name)) {
            // NFD on disk: fine where the file system is normalization-insensitive (macOS), but
            // on Linux the NFC path would not find this file.
            FileStat viaNfc = FileStat.read(dir.resolve(nfcName));
            FileStat onDisk = FileStat.read(entry);
            if (onDisk == null) {
                return null; // vanished
            }
            if (viaNfc == null || viaNfc.inode() == 0 || viaNfc.inode() != onDisk.inode()) {
                warnOnce(root, rawRel, "file name is not in Unicode NFC form; rename it to be replicated");
                return null;
            }
        }
        return rel;
    }

    private static void warnOnce(Path root, String rawRel, String problem) {
        if (warned.size() >= MAX_REMEMBERED_WARNINGS) {
            warned.clear();
        }
        if (warned.add(root + "\0" + rawRel)) {
            log.warn("skipping {} in {}: {}", InvalidPathException.quote(rawRel), root, problem);
        }
    }
}
