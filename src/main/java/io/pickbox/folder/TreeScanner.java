package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
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
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Walks a subtree of the synced folder as the replication layer sees it: normalized relative
 * paths, no symlink following, internal and ignored entries left out.
 */
public final class TreeScanner {
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
     *       path per JVM ({@link SkippedNames}), without descending.
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
        // Depth-first pre-order with an explicit stack: paths can nest ~2000 levels deep. Each
        // directory on the stack is held open (see Frame), one descriptor per level.
        Deque<Frame> stack = new ArrayDeque<>();
        try {
            stack.push(Frame.open(root, start));
            while (!stack.isEmpty()) {
                Frame frame = stack.peek();
                if (!frame.entries.hasNext()) {
                    stack.pop().close();
                    continue;
                }
                Path entry = frame.entries.next();
                String rel = visit(root, frame.relDir, entry, ignored, visitor);
                if (rel != null) {
                    stack.push(Frame.open(root, rel));
                }
            }
        } finally {
            stack.forEach(Frame::close);
        }
    }

    /**
     * The entries directly in {@code root/relDir} that {@link #scan} would visit there, in name
     * order, without descending: for walks that hold one directory at a time.
     */
    public static List<Map.Entry<String, FileStat>> children(Path root, String relDir, Predicate<String> ignored) throws IOException {
        String dir = relDir.isEmpty() ? "" : PathValidator.normalize(relDir);
        List<Map.Entry<String, FileStat>> out = new ArrayList<>();
        try (Frame frame = Frame.open(root, dir)) {
            while (frame.entries.hasNext()) {
                visit(root, dir, frame.entries.next(), ignored, (rel, stat) -> out.add(Map.entry(rel, stat)));
            }
        }
        return out;
    }

    /**
     * A directory being listed, held open while its entries are visited: reached from the root
     * without following a symlink ({@link FolderDir}), its entries are named and stat'ed through
     * it, so a symlink swapped in for it or an ancestor meanwhile leads nowhere outside.
     */
    private record Frame(String relDir, FolderDir dir, Iterator<Path> entries) implements AutoCloseable {

        /** {@code relDir}'s sorted children; none if it vanished or was replaced by a non-directory or a symlink. */
        static Frame open(Path root, String relDir) throws IOException {
            FolderDir dir;
            try {
                dir = FolderDir.open(root, relDir);
            } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException e) {
                return new Frame(relDir, null, Collections.emptyIterator());
            }
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path())) {
                stream.forEach(entries::add);
            } catch (NoSuchFileException | NotDirectoryException e) {
                // removed since it was reached: nothing in it
            } catch (IOException | RuntimeException e) {
                dir.close();
                throw e;
            }
            entries.sort(null);
            return new Frame(relDir, dir, entries.iterator());
        }

        @Override
        public void close() {
            if (dir != null) dir.close();
        }
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
        if (SkippedNames.skipIfNotUtf8(root, entry.getFileName(), rawRel)) return null;
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
        SkippedNames.warnOnce(root, rawRel, problem);
    }
}
