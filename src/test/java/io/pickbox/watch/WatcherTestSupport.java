package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;

/** Starts a watcher on a temp root and offers "settle" so negative assertions need no sleeps. */
abstract class WatcherTestSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String SENTINEL_PREFIX = "sentinel-";

    private final AtomicInteger sentinels = new AtomicInteger();
    final RecordingListener rec = new RecordingListener();
    FolderWatcher watcher;
    Path root;

    FolderWatcher start(WatcherKind kind, Path root, Predicate<String> ignored) throws IOException {
        if (kind == WatcherKind.INOTIFY) {
            assumeTrue(WatcherKind.linux(), "inotify needs Linux");
        }
        this.root = root;
        watcher = kind.create(root, ignored, rec);
        watcher.start();
        return watcher;
    }

    FolderWatcher start(WatcherKind kind, Path root) throws IOException {
        return start(kind, root, p -> false);
    }

    @AfterEach
    void closeWatcher() {
        if (watcher != null) {
            watcher.close();
        }
    }

    /**
     * Writes a fresh file in the root and waits until it is reported. The watcher delivers events
     * in queue order, so afterwards everything that happened before has been delivered too.
     */
    void settle() throws IOException {
        String name = SENTINEL_PREFIX + sentinels.incrementAndGet();
        Files.writeString(root.resolve(name), "s");
        await().atMost(TIMEOUT).until(() -> rec.completedPaths().contains(name));
    }

    void awaitCompleted(String... paths) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rec.completedPaths()).contains(paths));
    }

    void awaitCovered(Iterable<String> paths) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String p : paths) {
                assertThat(rec.covered(p)).as("reported or rescanned: %s (events %s)", p, rec.events.size()).isTrue();
            }
        });
    }

    /** Non-sentinel paths mentioned by events. */
    Stream<String> reportedPaths() {
        return rec.allPaths().stream().filter(p -> !p.startsWith(SENTINEL_PREFIX));
    }
}
