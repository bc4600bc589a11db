package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts many new small files into a folder as one group, where none of them exists yet (a node
 * catching up writes thousands at a time). Each is written to a temp file beside its place; one
 * flush makes all of them durable; each is then renamed into place only if nothing is there (what
 * a user created there meanwhile stays, and that file is skipped); a second flush makes the renames
 * durable. Every file appears complete or not at all, and a group costs two flushes, not two per file.
 * A file whose content is kept complete elsewhere on the file system ({@link Moved}) is moved
 * straight into place instead, in the same step as the renames.
 */
public final class NewFiles {

    /**
     * A file to create: its path in the folder, its bytes (already verified), its mode and mtime;
     * or, instead of its bytes, a file holding them already that {@code moved} moves into place.
     */
    public record NewFile(String path, byte[] data, int mode, long mtimeMillis, Moved moved) {
        public NewFile(String path, byte[] data, int mode, long mtimeMillis) {
            this(path, data, mode, mtimeMillis, null);
        }
    }

    /** A file with the content wanted, complete and durable, kept elsewhere on the same file system. */
    public interface Moved {
        /**
         * Gives it the mode and mtime asked and moves it to {@code name} in {@code dir}, where nothing
         * may be: false, with nothing moved, when it is not to be had or something is there.
         */
        boolean moveTo(FolderDir dir, String name) throws IOException;
    }

    /** A file put in place, and its stat once the rename was durable. */
    public record Placed(String path, FileStat stat) {}

    private NewFiles() {}

    /**
     * Writes the {@code files} that are absent from {@code root}. A file whose directory does not exist,
     * or whose place is taken, is skipped. Returns the files placed, in their order. Each directory
     * is opened once per step for all its files, and every call on a file goes through its
     * directory's descriptor (or the file's own): a few calls per file, not a walk from the root
     * each time.
     *
     * @throws IOException when a file could not be written or the group could not be made durable
     *                     (nothing was placed then)
     */
    public static List<Placed> write(Path root, List<NewFile> files) throws IOException {
        Map<String, List<Integer>> byDirectory = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            byDirectory.computeIfAbsent(FolderDir.parentOf(files.get(i).path()), d -> new ArrayList<>()).add(i);
        }
        // The name of each file's temp file beside its place while there is one.
        String[] temps = new String[files.size()];
        try {
            List<String> written = new ArrayList<>(files.size());
            for (Map.Entry<String, List<Integer>> d : byDirectory.entrySet()) writeTemps(root, d.getKey(), d.getValue(), files, temps);
            for (int i = 0; i < files.size(); i++) {
                if (temps[i] != null) written.add(sibling(files.get(i).path(), temps[i]));
            }
            AtomicFiles.flushFolder(root, written, Set.of());
            boolean[] renamed = new boolean[files.size()];
            Set<String> directories = new LinkedHashSet<>();
            for (Map.Entry<String, List<Integer>> d : byDirectory.entrySet()) {
                if (renameAll(root, d.getKey(), d.getValue(), files, temps, renamed)) directories.add(d.getKey());
            }
            AtomicFiles.flushFolder(root, List.of(), directories);
            FileStat[] stats = new FileStat[files.size()];
            for (Map.Entry<String, List<Integer>> d : byDirectory.entrySet()) statAll(root, d.getKey(), d.getValue(), files, renamed, stats);
            List<Placed> placed = new ArrayList<>(files.size());
            for (int i = 0; i < files.size(); i++) {
                // removed or replaced by a directory since: not this file any more, nothing to report
                if (stats[i] != null && stats[i].kind() == FileStat.Kind.FILE) placed.add(new Placed(files.get(i).path(), stats[i]));
            }
            return placed;
        } finally {
            for (Map.Entry<String, List<Integer>> d : byDirectory.entrySet()) deleteTemps(root, d.getKey(), d.getValue(), temps);
        }
    }

    /**
     * Writes a temp file for each of the files {@code indexes} of {@code directory}; none when the
     * directory is not there, or is a symlink. Other errors are thrown. Whether something is at a
     * file's place is not asked here: the rename that never replaces finds out (the place is free
     * nearly always, and asking would cost a stat per file).
     */
    private static void writeTemps(Path root, String directory, List<Integer> indexes, List<NewFile> files, String[] temps)
            throws IOException {
        try (FolderDir dir = FolderDir.open(root, directory)) {
            for (int i : indexes) {
                NewFile f = files.get(i);
                // A file kept complete elsewhere needs no temp file: it is moved straight into place.
                if (f.moved() != null) continue;
                String tmp = PathValidator.TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong());
                dir.createFile(tmp, f.data(), f.mode(), f.mtimeMillis());
                temps[i] = tmp;
            }
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException skipped) {
            // the directory is missing, or not one: its files are skipped
        }
    }

    /**
     * Renames each temp file of {@code directory} to its place, and moves each file kept elsewhere
     * there, if nothing is there; returns whether any was.
     */
    private static boolean renameAll(Path root, String directory, List<Integer> indexes, List<NewFile> files, String[] temps,
                                     boolean[] renamed) throws IOException {
        boolean any = false;
        try (FolderDir dir = FolderDir.open(root, directory)) {
            for (int i : indexes) {
                String name = FolderDir.nameOf(files.get(i).path());
                if (files.get(i).moved() != null) {
                    if (!files.get(i).moved().moveTo(dir, name)) continue; // not to be had, or the place is taken
                } else {
                    if (temps[i] == null || !dir.renameNoReplace(temps[i], dir, name)) continue;
                    temps[i] = null;
                }
                renamed[i] = true;
                any = true;
            }
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            // the directory was removed or replaced since: its temp files went with it
        }
        return any;
    }

    /** Reads the stat of each file of {@code directory} renamed into place, once its rename is durable. */
    private static void statAll(Path root, String directory, List<Integer> indexes, List<NewFile> files, boolean[] renamed,
                                FileStat[] stats) throws IOException {
        if (indexes.stream().noneMatch(i -> renamed[i])) return;
        try (FolderDir dir = FolderDir.open(root, directory)) {
            for (int i : indexes) {
                if (renamed[i]) stats[i] = FileStat.read(dir, FolderDir.nameOf(files.get(i).path()));
            }
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            // the directory was removed or replaced since: its files are not there any more
        }
    }

    private static void deleteTemps(Path root, String directory, List<Integer> indexes, String[] temps) throws IOException {
        if (indexes.stream().allMatch(i -> temps[i] == null)) return;
        try (FolderDir dir = FolderDir.open(root, directory)) {
            for (int i : indexes) {
                if (temps[i] != null) dir.delete(temps[i]);
            }
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            // its directory went, and the temp files with it
        }
    }

    private static String sibling(String path, String name) {
        String dir = FolderDir.parentOf(path);
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
