package io.pickbox.index;

import java.util.List;

/**
 * One committed path. {@code version} changes whenever the entry changes and is what proposals
 * name as their base; {@code conflictOf} is set on conflict copies (the path they lost to);
 * {@code committedAt} is the cluster's time (milliseconds) when this version was committed, as the
 * leader stamped its entry (0 for versions committed before entries were stamped).
 */
public record Entry(Kind kind, long version, long size, String sha256, List<String> chunks,
                    int mode, long mtime, String origin, String conflictOf, long committedAt) {

    public enum Kind { FILE, DIR }

    public Entry {
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
    }

    /** An entry with no commit time yet: apply stamps it. */
    public Entry(Kind kind, long version, long size, String sha256, List<String> chunks,
                 int mode, long mtime, String origin, String conflictOf) {
        this(kind, version, size, sha256, chunks, mode, mtime, origin, conflictOf, 0);
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

    /** Whether the two hold the same thing: kind, content and mode (versions, times and origins aside). */
    public boolean sameContent(Entry other) {
        return other != null && kind == other.kind && mode == other.mode && java.util.Objects.equals(sha256, other.sha256);
    }

    Entry withVersion(long v) {
        return new Entry(kind, v, size, sha256, chunks, mode, mtime, origin, conflictOf, committedAt);
    }

    Entry committed(long v, long at) {
        return new Entry(kind, v, size, sha256, chunks, mode, mtime, origin, conflictOf, at);
    }

    Entry asConflictOf(String original) {
        return new Entry(kind, version, size, sha256, chunks, mode, mtime, origin, original, committedAt);
    }
}
