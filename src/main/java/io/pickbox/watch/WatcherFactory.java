package io.pickbox.watch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the watcher implementation; kept out of the public interface so the choice stays private. */
final class WatcherFactory {
    private static final Logger log = LoggerFactory.getLogger(WatcherFactory.class);

    /** System property: "auto" (default) or "polling" — lets operators dodge a misbehaving native path. */
    static final String MODE_PROPERTY = "pickbox.watcher";

    // A node may watch several roots; one warning is enough to tell the operator that the slower path is in use.
    private static final AtomicBoolean fallbackWarned = new AtomicBoolean();

    private WatcherFactory() {}

    static FolderWatcher create(Path root, Predicate<String> ignored, Predicate<String> ownTemps, ChangeListener listener,
                                String mode) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(ownTemps, "ownTemps");
        Objects.requireNonNull(ignored, "ignored");
        Objects.requireNonNull(listener, "listener");
        String m = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
        if (m.equals("polling")) {
            log.info("Watcher mode forced to polling (JDK WatchService) for {}", root);
            return new PollingWatcher(root, ignored, listener);
        }
        String reason;
        if (isLinux()) {
            try {
                return InotifyWatcher.open(root, ignored, ownTemps, listener);
            } catch (IOException | LinkageError e) {
                reason = "inotify unavailable: " + e;
            }
        } else {
            reason = "not on Linux (" + System.getProperty("os.name") + ")";
        }
        if (fallbackWarned.compareAndSet(false, true)) {
            log.warn("Using the portable JDK WatchService watcher for {} ({}); renames are reported as changes", root, reason);
        } else {
            log.debug("Using the portable JDK WatchService watcher for {} ({})", root, reason);
        }
        return new PollingWatcher(root, ignored, listener);
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }
}
