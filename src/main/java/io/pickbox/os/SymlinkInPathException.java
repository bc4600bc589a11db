package io.pickbox.os;

/**
 * A path of the folder with a symlink where a directory should be: nothing is read or written
 * through it, and the path waits until a real directory is there again.
 */
public final class SymlinkInPathException extends UnsafePathException {

    private final String symlink;

    public SymlinkInPathException(String path, String symlink) {
        super(path, symlink + " is a symlink, and symlinks in the folder are never followed");
        this.symlink = symlink;
    }

    /** The component found to be a symlink, as a path relative to the folder's root. */
    public String symlink() {
        return symlink;
    }
}
