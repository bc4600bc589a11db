package io.pickbox.folder;

import io.pickbox.os.NoReplaceRename;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
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
        List<Path> temps = new ArrayList<>(files.size());
        List<NewFile> written = new ArrayList<>(files.size());
        try {
            for (NewFile f : files) {
                Path target = PathValidator.resolve(root, f.path());
                Path tmp = target.resolveSibling(PathValidator.TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                if (writeTemp(tmp, f)) {
                    temps.add(tmp);
                    written.add(f);
                }
            }
            AtomicFiles.flush(root, temps, Set.of());
            List<String> renamed = new ArrayList<>(written.size());
            Set<Path> directories = new LinkedHashSet<>();
            for (int i = 0; i < written.size(); i++) {
                Path target = PathValidator.resolve(root, written.get(i).path());
                if (NoReplaceRename.rename(temps.get(i), target)) {
                    temps.set(i, null);
                    directories.add(target.getParent());
                    renamed.add(written.get(i).path());
                }
            }
            AtomicFiles.flush(root, List.of(), directories);
            List<Placed> placed = new ArrayList<>(renamed.size());
            for (String path : renamed) {
                FileStat st = FileStat.read(PathValidator.resolve(root, path));
                // removed or replaced by a directory since: not this file any more, nothing to report
                if (st != null && st.kind() == FileStat.Kind.FILE) placed.add(new Placed(path, st));
            }
            return placed;
        } finally {
            for (Path tmp : temps) {
                if (tmp != null) Files.deleteIfExists(tmp);
            }
        }
    }

    /** False when the file's directory is not there (the file is skipped); other errors are thrown. */
    private static boolean writeTemp(Path tmp, NewFile f) throws IOException {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(f.data());
            while (buf.hasRemaining()) out.write(buf);
        } catch (NoSuchFileException e) {
            return false;
        }
        try {
            AtomicFiles.applyMode(tmp, f.mode());
            FileTime t = FileTime.fromMillis(f.mtimeMillis());
            Files.getFileAttributeView(tmp, BasicFileAttributeView.class).setTimes(t, t, null);
            return true;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
