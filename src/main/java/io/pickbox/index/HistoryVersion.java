package io.pickbox.index;

/**
 * One version of a path as the history holds it: the entry as it was committed ({@code entry}, its
 * version and commit time included), and how and when it stopped being current. The current
 * version of a path is listed with {@link Ending#CURRENT} and {@code endedAt} 0.
 */
public record HistoryVersion(String path, Entry entry, long endedAt, String endedBy, Ending ending, String movedTo) {

    /** How a version stopped being current. */
    public enum Ending {
        /** It is the current version. */
        CURRENT,
        /** New content was committed at its path. */
        EDITED,
        /** Its mode or modification time changed; the content did not. */
        CHANGED,
        /** Deleted (alone, or with its directory). */
        DELETED,
        /** Renamed away ({@code movedTo} says where). */
        MOVED,
        /** Another file was renamed onto it (an atomic save). */
        REPLACED,
        /** A restore put another version in its place. */
        RESTORED
    }

    public long version() {
        return entry.version();
    }

    public boolean current() {
        return ending == Ending.CURRENT;
    }

    /** Where a listing of versions ordered by {@code endedAt} goes on after this one. */
    public String cursor() {
        return endedAt + ":" + entry.version() + ":" + path;
    }
}
