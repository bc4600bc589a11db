package io.pickbox.os;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens existing regular files only, deciding on the file itself rather than on a stat taken before
 * the open: anyone can put a fifo where a file was between the two, and open(2) of a fifo waits
 * for a writer, for ever (a node's sync workers are few). The name is first opened with O_PATH,
 * which opens nothing (no fifo waits, no device acts); that descriptor's file is checked, then
 * opened through its {@code /proc/self/fd} link, which names that very inode whatever is at the
 * name by then.
 */
public final class RegularFiles {

    private RegularFiles() {}

    /**
     * Opens the regular file {@code file} with {@code options}, the last component not followed.
     *
     * @throws SymlinkInPathException  when a symlink is there (it is not followed)
     * @throws NotRegularFileException when anything else but a regular file is there
     * @throws NoSuchFileException     when nothing is
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(List.of(options));
        if (!Beneath.AVAILABLE) return openChecked(file, all);
        int f;
        try {
            f = LibC.Fd.open(LibC.cString(file.toAbsolutePath().toString()), Beneath.O_PATH | Beneath.O_NOFOLLOW | Beneath.O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT || e.getErrorCode() == Errno.ENOTDIR) throw new NoSuchFileException(file.toString());
            throw new FileSystemException(file.toString(), null, "cannot open: errno " + e.getErrorCode());
        }
        try {
            return reopen(f, file.toString(), all);
        } finally {
            Beneath.closeFd(f);
        }
    }

    /** Opens the file {@code f} (an O_PATH descriptor, not followed) holds, if it is a regular file. */
    static FileChannel reopen(int f, String name, Set<OpenOption> options) throws IOException {
        Path held = Path.of("/proc/self/fd/" + f);
        Statx st = Statx.readOpen(f);
        if (st == null) throw new NoSuchFileException(name);
        if (st == Statx.UNKNOWN) throw new FileSystemException(name, null, "cannot tell what kind of file it is");
        if (st.isSymbolicLink()) throw new SymlinkInPathException(name, name);
        if (!st.isRegularFile()) throw new NotRegularFileException(name, what(st.isDirectory()));
        Set<OpenOption> following = new HashSet<>(options);
        // The link is followed on purpose: it leads to the inode checked above, nowhere else.
        following.remove(LinkOption.NOFOLLOW_LINKS);
        return FileChannel.open(held, following);
    }

    /** Where the checked open is not available: a stat, then the open (racy, as it always was there). */
    private static FileChannel openChecked(Path file, Set<OpenOption> options) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) throw new SymlinkInPathException(file.toString(), file.toString());
        if (!a.isRegularFile()) throw new NotRegularFileException(file.toString(), what(a.isDirectory()));
        options.add(LinkOption.NOFOLLOW_LINKS);
        return FileChannel.open(file, options);
    }

    private static String what(boolean directory) {
        return directory ? "a directory" : "a fifo, socket or device";
    }
}
