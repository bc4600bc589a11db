package io.pickbox.os;

import java.nio.file.FileSystemException;

/**
 * What was to be opened as a file is something else now: a fifo, a socket, a device or a directory
 * (a symlink is a {@link SymlinkInPathException}). It is not opened: open(2) of a fifo waits for a writer, for ever.
 */
public final class NotRegularFileException extends FileSystemException {

    public NotRegularFileException(String path, String what) {
        super(path, null, "is " + what + ", not a regular file");
    }
}
