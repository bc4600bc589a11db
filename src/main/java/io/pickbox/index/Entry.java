package io.pickbox.index;

import java.util.List;

/**
 * One committed path. {@code version} changes whenever the entry changes and is what proposals
 * name as their base; {@code conflictOf} is set on conflict copies (the path they lost to).
 */
public record Entry(Kind kind, long version, long size, String sha256, List<String> chunks,
                    int mode, long mtime, String origin, String conflictOf) {

    public enum Kind { FILE, DIR }

    public Entry {
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
    }

    public static Entry dir(long version, int mode, long mtime, String origin) {
        return new Entry(Kind.DIR, version, 0, null, List.of(), mode, mtime, origin, null);
    }

    public boolean isDir() {
        return kind == Kind.DIR;
    }

    public boolean isFile() {
        return kind == Kind.FILE;
    }

    public boolean executable() {
        return (mode & 0100) != 0;
    }

    Entry withVersion(long v) {
        return new Entry(kind, v, size, sha256, chunks, mode, mtime, origin, conflictOf);
    }

    Entry asConflictOf(String original) {
        return new Entry(kind, version, size, sha256, chunks, mode, mtime, origin, original);
    }
}
