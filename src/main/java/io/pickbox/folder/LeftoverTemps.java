package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.Statx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Removes the temp files a crash left in the folder (they never were a committed version). The
 * walk reaches each directory without following a symlink, so a directory swapped for a symlink
 * while it runs cannot lead it to delete files outside the folder.
 */
public final class LeftoverTemps {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverTemps.class);

    private LeftoverTemps() {}

    /** Removes every temp file under {@code root}; returns how many. */
    public static int remove(Path root) {
        int removed = 0;
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push("");
        while (!dirs.isEmpty()) {
            String rel = dirs.pop();
            try (FolderDir dir = FolderDir.open(root, rel)) {
                for (String name : dir.list()) {
                    if (PathValidator.isTempName(name)) {
                        if (dir.delete(name)) {
                            removed++;
                            LOG.info("Removed a partial file left by a crash: {}", dir.relOf(name));
                        }
                    } else if (isDirectory(dir, name)) {
                        dirs.push(dir.relOf(name));
                    }
                }
            } catch (IOException e) {
                LOG.warn("Could not look for leftover temp files in {}: {}", rel.isEmpty() ? "the folder" : rel, e.toString());
            }
        }
        return removed;
    }

    private static boolean isDirectory(FolderDir dir, String name) {
        Statx st = dir.stat(name);
        if (st == null) return false;
        if (st == Statx.UNKNOWN) return Files.isDirectory(dir.path(name), LinkOption.NOFOLLOW_LINKS);
        return st.isDirectory();
    }
}
