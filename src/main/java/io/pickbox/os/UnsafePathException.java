package io.pickbox.os;

import java.io.IOException;

/** A path of the folder that cannot be reached without leaving it: nothing was done there. */
public class UnsafePathException extends IOException {

    private final String path;

    public UnsafePathException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** The path asked for, relative to the folder's root. */
    public String path() {
        return path;
    }
}
