package io.pickbox.watch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/** The two implementations, so contract tests can run against both. */
enum WatcherKind {
    INOTIFY {
        @Override
        FolderWatcher create(Path root, Predicate<String> ignored, ChangeListener listener) throws IOException {
            return InotifyWatcher.open(root, ignored, NO_OWN_TEMPS, listener);
        }

        @Override
        Thread thread(FolderWatcher w) {
            return ((InotifyWatcher) w).thread();
        }
    },
    POLLING {
        @Override
        FolderWatcher create(Path root, Predicate<String> ignored, ChangeListener listener) {
            return new PollingWatcher(root, ignored, listener);
        }

        @Override
        Thread thread(FolderWatcher w) {
            return ((PollingWatcher) w).thread();
        }
    };

    /** For watchers whose consumer has no temp files of its own. */
    static final Predicate<String> NO_OWN_TEMPS = name -> false;

    abstract FolderWatcher create(Path root, Predicate<String> ignored, ChangeListener listener) throws IOException;

    abstract Thread thread(FolderWatcher w);

    static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase().startsWith("linux");
    }
}
