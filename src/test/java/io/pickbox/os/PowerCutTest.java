package io.pickbox.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test layer itself: what it keeps and what it drops at a cut. */
class PowerCutTest {

    @TempDir
    Path root;

    @AfterEach
    void realAgain() {
        Durability.use(Durability.REAL);
    }

    @Test
    void keepsOnlyWhatWasMadeDurable() throws IOException {
        Files.writeString(root.resolve("old.txt"), "before");
        Files.createDirectories(root.resolve("opaque"));
        PowerCut cut = PowerCut.over(root, p -> p.getFileName().toString().equals("opaque"));

        Files.writeString(root.resolve("whole.txt"), "whole");
        Durability.current().force(root.resolve("whole.txt"));
        Files.writeString(root.resolve("entry-only.txt"), "bytes lost");
        Files.createDirectory(root.resolve("d"));
        Durability.current().forceDirectory(root);
        Files.writeString(root.resolve("never-synced.txt"), "lost");
        Files.writeString(root.resolve("data-only.txt"), "data");
        Durability.current().force(root.resolve("data-only.txt"));
        Files.writeString(root.resolve("old.txt"), "after, not synced");
        Durability.current().rename(root.resolve("whole.txt"), root.resolve("renamed.txt"));
        Files.writeString(root.resolve("opaque/kept"), "as it is");
        cut.restore();

        assertThat(root.resolve("never-synced.txt")).doesNotExist();
        assertThat(root.resolve("data-only.txt")).as("its entry was never made durable").doesNotExist();
        assertThat(root.resolve("whole.txt")).hasContent("whole");
        assertThat(root.resolve("renamed.txt")).as("the rename was not made durable").doesNotExist();
        assertThat(root.resolve("entry-only.txt")).exists().isEmptyFile();
        assertThat(root.resolve("old.txt")).hasContent("before");
        assertThat(root.resolve("d")).isDirectory();
        assertThat(root.resolve("opaque/kept")).hasContent("as it is");
    }

    @Test
    void theChosenPointAndEveryLaterOneCut() throws IOException {
        PowerCut cut = PowerCut.over(root, p -> false).cutAt(2);
        Durability.current().forceDirectory(root);
        assertThatThrownBy(() -> Durability.current().forceDirectory(root)).isInstanceOf(PowerCut.Cut.class);
        assertThatThrownBy(() -> Durability.current().force(root)).isInstanceOf(PowerCut.Cut.class);
        assertThat(cut.cut()).isTrue();
        assertThat(cut.points()).isEqualTo(2);
    }
}
