package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatcherFactoryTest {
    @TempDir Path dir;
    private final RecordingListener rec = new RecordingListener();

    @Test
    void autoPicksInotifyOnLinuxAndTheFallbackElsewhere() {
        try (FolderWatcher w = FolderWatcher.create(dir, p -> false, WatcherKind.NO_OWN_TEMPS, rec)) {
            assertThat(w).isInstanceOf(WatcherKind.linux() ? InotifyWatcher.class : PollingWatcher.class);
        }
    }

    @Test
    void pollingCanBeForced() {
        try (FolderWatcher w = WatcherFactory.create(dir, p -> false, WatcherKind.NO_OWN_TEMPS, rec, "polling")) {
            assertThat(w).isInstanceOf(PollingWatcher.class);
        }
    }
}
