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
     * state dir and temp files.
     */
    static FolderWatcher create(Path root, Predicate<String> ignored, ChangeListener listener) {
        return WatcherFactory.create(root, ignored, listener, System.getProperty(WatcherFactory.MODE_PROPERTY, "auto"));
    }
}
