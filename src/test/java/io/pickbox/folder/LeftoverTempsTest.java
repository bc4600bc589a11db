package io.pickbox.folder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LeftoverTempsTest {

    @TempDir
    Path root;
    @TempDir
    Path outside;

    @Test
    void removesTempFilesAtEveryDepthAndNothingElse() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve(PathValidator.TEMP_PREFIX + "1"), "partial");
        Files.writeString(root.resolve("a/b/" + PathValidator.TEMP_PREFIX + "2"), "partial");
        Files.writeString(root.resolve("a/b/kept.txt"), "kept");

        assertThat(LeftoverTemps.remove(root)).isEqualTo(2);

        assertThat(root.resolve(PathValidator.TEMP_PREFIX + "1")).doesNotExist();
        assertThat(root.resolve("a/b/" + PathValidator.TEMP_PREFIX + "2")).doesNotExist();
        assertThat(root.resolve("a/b/kept.txt")).hasContent("kept");
    }

    @Test
    void neverFollowsASymlinkedDirectoryOutOfTheFolder() throws Exception {
        Path theirs = outside.resolve(PathValidator.TEMP_PREFIX + "not-ours");
        Files.writeString(theirs, "someone else's file");
        Files.createSymbolicLink(root.resolve("d"), outside);

        assertThat(LeftoverTemps.remove(root)).isZero();

        assertThat(theirs).hasContent("someone else's file");
        assertThat(root.resolve("d")).isSymbolicLink();
    }
}
