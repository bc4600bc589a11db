package io.pickbox.folder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The names skipped lately are shown while they are there, the newest first, and forgotten when gone. */
class SkippedNamesTest {

    @TempDir
    Path root;

    @Test
    void theNamesStillThereAreShownNewestFirst() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/line\nbreak"), "x");
        Files.writeString(root.resolve("tab\there"), "x");
        SkippedNames.warnOnce(root, "d/line\nbreak", "control character");
        SkippedNames.warnOnce(root, "tab\there", "control character");

        assertThat(SkippedNames.current(root, 10)).containsExactly(
                java.util.Map.entry("tab\there", "control character"), java.util.Map.entry("d/line\nbreak", "control character"));
        assertThat(SkippedNames.current(root, 1)).containsOnlyKeys("tab\there");

        // Renamed to a name that can be replicated; its directory deleted.
        Files.move(root.resolve("tab\there"), root.resolve("tab-here"));
        Files.delete(root.resolve("d/line\nbreak"));
        Files.delete(root.resolve("d"));
        assertThat(SkippedNames.current(root, 10)).isEmpty();
    }

    @Test
    void aFolderWithNoNameSkippedShowsNone() {
        assertThat(SkippedNames.current(root, 10)).isEmpty();
    }
}
