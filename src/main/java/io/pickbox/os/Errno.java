package io.pickbox.os;

/** The errno values Pickbox tells apart ({@code <errno.h>}, the same on every Linux architecture). */
public final class Errno {

    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENOTDIR = 20;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;

    private Errno() {}
}
