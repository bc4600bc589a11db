package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts many new small files into a folder as one group, where none of them exists yet (a node
 * catching up writes thousands at a time). Each is written to a temp file beside its place; one
 * flush makes all of them durable; each is then renamed into place only if nothing is there (what
 * a user created there meanwhile stays, and that file is skipped); a second flush makes the renames
 * durable. Every file appears complete or not at all, and a group costs two flushes, not two per file.
 */
public final class NewFiles {

    /** A file to create: its path in the folder, its bytes (already verified), its mode and mtime. */
    public record NewFile(String path, byte[] data, int mode, long mtimeMillis) {}

    /** A file put in place, and its stat once the rename was durable. */
    public record Placed(String path, FileStat stat) {}

    private NewFiles() {}

    /**
     * Writes the {@code files} that are absent from {@code root}. A file whose directory does not exist,
     * or whose place is taken, is skipped; an I/O error on one file skips that file. Returns the files
     * placed, in their order.
     *
     * @throws IOException when the group could not be made durable (nothing was placed then)
     */
    public static List<Placed> write(Path root, List<NewFile> files) throws IOException {
        List<String> temps = new ArrayList<>(files.size());
        List<NewFile> written = new ArrayList<>(files.size());
        try {
            for (NewFile f : files) {
                String tmp = FolderDir.parentOf(f.path());
                tmp = (tmp.isEmpty() ? "" : tmp + "/") + PathValidator.TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong());
                if (writeTemp(root, tmp, f)) {
                    temps.add(tmp);
                    written.add(f);
                }
            }
            AtomicFiles.flushFolder(root, temps, Set.of());
            List<String> renamed = new ArrayList<>(written.size());
            Set<String> directories = new LinkedHashSet<>();
            for (int i = 0; i < written.size(); i++) {
                String path = written.get(i).path();
                if (renameNoReplace(root, temps.get(i), path)) {
                    temps.set(i, null);
                    directories.add(FolderDir.parentOf(path));
                    renamed.add(path);
                }
            }
            AtomicFiles.flushFolder(root, List.of(), directories);
            List<Placed> placed = new ArrayList<>(renamed.size());
            for (String path : renamed) {
                FileStat st = FileStat.read(root, path);
                // removed or replaced by a directory since: not this file any more, nothing to report
                if (st != null && st.kind() == FileStat.Kind.FILE) placed.add(new Placed(path, st));
            }
            return placed;
        } finally {
            for (String tmp : temps) {
                if (tmp != null) deleteQuietly(root, tmp);
            }
        }
    }

    /** Renames the temp file {@code tmp} to its sibling {@code path} if nothing is there; false otherwise. */
    private static boolean renameNoReplace(Path root, String tmp, String path) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            return dir.renameNoReplace(FolderDir.nameOf(tmp), dir, FolderDir.nameOf(path));
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            return false; // its directory was removed or replaced since: the temp file went with it
        }
    }

    private static void deleteQuietly(Path root, String tmp) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, tmp)) {
            dir.delete(FolderDir.nameOf(tmp));
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
            // its directory went, and the temp file with it
        }
    }

    /**
     * False when the file's directory is not there, or is a symlink (the file is skipped); other
     * errors are thrown.
     */
    private static boolean writeTemp(Path root, String tmp, NewFile f) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, tmp)) {
            String name = FolderDir.nameOf(tmp);
            try (FileChannel out = dir.open(name, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(f.data());
                while (buf.hasRemaining()) out.write(buf);
            }
            try {
                AtomicFiles.applyMode(dir, name, f.mode());
                dir.setTimes(name, f.mtimeMillis());
                return true;
            } catch (IOException | RuntimeException e) {
                dir.delete(name);
                throw e;
            }
        } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException skipped) {
            return false;
        }
    }
}
