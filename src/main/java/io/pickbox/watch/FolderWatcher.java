package io.pickbox.watch;

import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Live change detection for a folder tree. Events are hints only: the consumer must look at the
 * disk to learn what actually changed.
 */
public interface FolderWatcher extends AutoCloseable {

    /** Sets up watches recursively; returns when initial watches are in place. */
    void start() throws java.io.IOException;

    /** Stops the thread, releases fds/watches; idempotent. */
    @Override
    void close();

    /**
     * inotify on Linux (JNA), else the portable fallback. {@code ignored} gets a relative path and
     * returns true for paths to skip entirely (never watched, never reported) — e.g. ".pickbox"
     * state dir and temp files. {@code ownTemps} gets a file name and returns true for the
     * consumer's own temp files: renaming one into place is the consumer's own write, which it has
     * accounted for, and is not reported (inotify only; polling reports it).
     */
    static FolderWatcher create(Path root, Predicate<String> ignored, Predicate<String> ownTemps, ChangeListener listener) {
        return WatcherFactory.create(root, ignored, ownTemps, listener, System.getProperty(WatcherFactory.MODE_PROPERTY, "auto"));
    }
}
