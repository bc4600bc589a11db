package io.pickbox.watch;

import io.pickbox.folder.SkippedNames;
import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a subtree so that each directory is watched BEFORE it is listed: anything created after the
 * listing is then caught by the watch, anything before by the listing, so nothing falls in between.
 * Files.walk cannot guarantee that order, hence this small iterative walker (no recursion: deep trees
 * must not blow the stack). Symlinks are never followed.
 */
final class SubtreeWalker {
    private static final Logger log = LoggerFactory.getLogger(SubtreeWalker.class);

    interface Visitor {
        /** Install the watch for relDir; return false to skip listing it (watch failed or dir vanished). */
        boolean enterDirectory(String relDir);

        /** A non-ignored entry found while listing a watched directory. */
        void entry(String rel, boolean isDirectory);
    }

    private SubtreeWalker() {}

    /**
     * TRUE for a real directory, FALSE for anything else, null if it vanished. When lstat fails for
     * another reason (e.g. path longer than PATH_MAX) we say TRUE so enterDirectory tries to watch
     * it and reports the failure as a rescan, instead of silently treating it as a file.
     */
    private static Boolean isDirectoryOrUnknown(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.debug("Cannot stat '{}': {}", p, e.toString());
            return Boolean.TRUE;
        }
    }

    /**
     * Watches every directory of a subtree with {@code watch} (false: not watched, not descended)
     * and, when {@code reportEntries}, reports every entry found, so nothing created before the
     * watches were in place is missed.
     */
    static void watchSubtree(Path root, String startRel, Predicate<String> ignored, Predicate<String> watch,
                             ChangeListener listener, boolean reportEntries) {
        walk(root, startRel, ignored, new Visitor() {
            @Override
            public boolean enterDirectory(String relDir) {
                return watch.test(relDir);
            }

            @Override
            public void entry(String entryRel, boolean isDirectory) {
                if (reportEntries) {
                    listener.changed(entryRel, true);
                }
            }
        });
    }

    static void walk(Path root, String startRel, Predicate<String> ignored, Visitor visitor) {
        Deque<String> todo = new ArrayDeque<>();
        todo.push(startRel);
        while (!todo.isEmpty()) {
            String dir = todo.pop();
            if (!visitor.enterDirectory(dir)) {
                continue;
            }
            // Listed through the directory reached without following a symlink: one swapped in for
            // it or an ancestor since it was watched is not listed.
            try (FolderDir held = FolderDir.open(root, dir);
                 DirectoryStream<Path> children = Files.newDirectoryStream(held.path())) {
                for (Path child : children) {
                    String rel = RelPaths.child(dir, RelPaths.name(child.getFileName()));
                    // A name that cannot be replicated (not UTF-8, a path over 4096 bytes, ...) is
                    // said once and left: neither watched nor walked.
                    if (ignored.test(rel) || SkippedNames.skipIfNotUtf8(root, child.getFileName(), rel)
                            || SkippedNames.skipIfInvalid(root, rel)) {
                        continue;
                    }
                    Boolean isDir = isDirectoryOrUnknown(child);
                    if (isDir == null) {
                        continue; // deleted meanwhile; the watch on dir reports that
                    }
                    visitor.entry(rel, isDir);
                    if (isDir) {
                        todo.push(rel);
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException e) {
                log.debug("'{}' vanished, or is no directory any more, while scanning it", dir);
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                log.debug("Cannot list '{}': {}", dir, e.toString());
            }
        }
    }
}
