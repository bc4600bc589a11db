package io.pickbox.folder;

import io.pickbox.os.Statx;

import java.nio.file.Path;

/** {@link FileStat} read with {@code statx(2)}, where the system has it (see {@link Statx}). */
final class NativeStat {

    /** Marks a path this class cannot answer for; the caller asks the JDK instead. */
    static final FileStat UNKNOWN = new FileStat(FileStat.Kind.FILE, -1, 0, 0, 0, 0);

    private NativeStat() {}

    /** The stat of {@code p} (not following a symlink), null if it does not exist, {@link #UNKNOWN} otherwise. */
    static FileStat read(Path p) {
        Statx s = Statx.read(p);
        if (s == null) return null;
        if (s == Statx.UNKNOWN) return UNKNOWN;
        return of(s);
    }

    /** {@code s} (neither null nor {@link Statx#UNKNOWN}) as a {@link FileStat}. */
    static FileStat of(Statx s) {
        FileStat.Kind kind = s.isSymbolicLink() ? FileStat.Kind.SYMLINK : s.isDirectory() ? FileStat.Kind.DIR
                : s.isRegularFile() ? FileStat.Kind.FILE : FileStat.Kind.OTHER;
        return new FileStat(kind, s.size(), s.mtimeMillis(), s.inode(), s.permissions(), s.ctimeNanos());
    }
}
