package io.pickbox.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class NoReplaceRenameTest {

    @TempDir
    Path dir;

    @Test
    void renamesToAFreePlace() throws IOException {
        Path from = Files.writeString(dir.resolve("from"), "new");
        Path to = dir.resolve("to");
        assertThat(NoReplaceRename.rename(from, to)).isTrue();
        assertThat(to).hasContent("new");
        assertThat(from).doesNotExist();
    }

    @Test
    void leavesWhatIsAtTheTargetAndTheSourceAlone() throws IOException {
        Path from = Files.writeString(dir.resolve("from"), "new");
        Path to = Files.writeString(dir.resolve("to"), "a user's file");
        assertThat(NoReplaceRename.rename(from, to)).isFalse();
        assertThat(to).hasContent("a user's file");
        assertThat(from).hasContent("new");

        Path taken = Files.createDirectory(dir.resolve("taken"));
        assertThat(NoReplaceRename.rename(from, taken)).isFalse();
        assertThat(taken).isDirectory();
    }
}
