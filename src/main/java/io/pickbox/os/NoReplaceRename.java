package io.pickbox.os;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A rename that never replaces anything: whatever appeared at the target meanwhile (a file a user
 * just created there) stays, and the rename reports that it did not happen. With renameat2's
 * RENAME_NOREPLACE the kernel checks and renames in one step; where the kernel or the file system
 * lacks it, a hard link (which fails on an existing target just as atomically) and an unlink.
 */
public final class NoReplaceRename {

    private static final int AT_FDCWD = -100;
    private static final int RENAME_NOREPLACE = 1;
    private static volatile boolean renameat2Works = LibC.Rename.BOUND;

    private NoReplaceRename() {}

    /** Renames {@code from} to {@code to}; false, with {@code from} left in place, when {@code to} exists. */
    public static boolean rename(Path from, Path to) throws IOException {
        return rename(() -> LibC.Rename.renameat2(AT_FDCWD, LibC.cString(from.toString()), AT_FDCWD, LibC.cString(to.toString()),
                RENAME_NOREPLACE), from, to);
    }

    /**
     * As {@link #rename(Path, Path)}, for {@code fromName} in the directory open as {@code fromDir}
     * and {@code toName} in {@code toDir}: no path is looked up but the two names. {@code from} and
     * {@code to} name the same files, for where renameat2 cannot do it.
     */
    static boolean renameAt(int fromDir, String fromName, int toDir, String toName, Path from, Path to) throws IOException {
        return rename(() -> LibC.Rename.renameat2(fromDir, LibC.cString(fromName), toDir, LibC.cString(toName), RENAME_NOREPLACE),
                from, to);
    }

    /** A renameat2 call with RENAME_NOREPLACE. */
    private interface Renameat2 {
        void call() throws LastErrorException;
    }

    private static boolean rename(Renameat2 renameat2, Path from, Path to) throws IOException {
        if (renameat2Works) {
            try {
                renameat2.call();
                return true;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EEXIST) return false;
                if (e.getErrorCode() != Errno.EINVAL && e.getErrorCode() != Errno.ENOSYS) {
                    throw new IOException("cannot rename " + from + " to " + to + ": errno " + e.getErrorCode());
                }
                // this file system does not know the flag
                renameat2Works = false;
            }
        }
        return linkAndUnlink(from, to);
    }

    /** Where renameat2 cannot refuse to replace: a hard link, which fails on an existing target, then an unlink. */
    private static boolean linkAndUnlink(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException noHardLinks) {
            // a file system without hard links: the check and the rename are two steps there
            try {
                Files.move(from, to);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        Files.delete(from);
        return true;
    }
}
