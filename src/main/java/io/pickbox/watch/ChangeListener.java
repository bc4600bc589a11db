package io.pickbox.watch;

/**
 * Receives raw hints about changes below the watched root. Paths are relative to the root,
 * '/'-separated, never empty except "" meaning the root itself in {@link #rescan}. Called from the
 * watcher's own thread; implementations must be fast and non-blocking.
 */
public interface ChangeListener {

    /**
     * Something at relPath may have changed (created, modified, attributes, deleted, moved out).
     * writerDone=true when the kernel said a writer closed the file (IN_CLOSE_WRITE) or for events
     * that are complete by nature (create of dir/symlink, delete, attrib, moved-out); false for
     * IN_MODIFY-style "still being written" hints.
     */
    void changed(String relPath, boolean writerDone);

    /**
     * A file or whole directory was renamed/moved from one place inside the root to another inside
     * the root (IN_MOVED_FROM/IN_MOVED_TO paired by cookie). One call for a directory, not one per
     * file: the consumer looks through a moved directory afterwards, since what was made in it
     * before the watcher read its events may not have been reported.
     */
    void moved(String fromRelPath, String toRelPath);

    /**
     * Events may have been lost under relDir ("" = whole root): the consumer must rescan that
     * subtree. Fired on IN_Q_OVERFLOW (root), on a failed inotify_add_watch (that dir), and for a
     * directory that was moved IN from outside the root.
     */
    void rescan(String relDir);
}
