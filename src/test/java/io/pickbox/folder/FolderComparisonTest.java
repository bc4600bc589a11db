package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.folder.FolderComparison.Difference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderComparisonTest {
    @TempDir
    Path tmp;
    Path a;
    Path b;

    @BeforeEach
    void twoIdenticalTrees() throws IOException {
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        for (Path root : List.of(a, b)) {
            Files.createDirectories(root.resolve("dir/sub"));
            Files.writeString(root.resolve("dir/sub/file.txt"), "content");
            Files.writeString(root.resolve("script.sh"), "#!/bin/sh");
            Files.setPosixFilePermissions(root.resolve("script.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createSymbolicLink(root.resolve("link"), Path.of("dir/sub/file.txt"));
        }
    }

    @Test
    void identicalTreesHaveNoDifferences() throws IOException {
        assertThat(FolderComparison.compare(List.of(a, b))).isEmpty();
    }

    @Test
    void internalFilesAndTimestampsAreNotCompared() throws IOException {
        Files.createDirectories(a.resolve(".pickbox/raft"));
        Files.writeString(a.resolve("dir/.pickbox-tmp-1"), "partial");
        Files.setLastModifiedTime(b.resolve("script.sh"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.setPosixFilePermissions(b.resolve("script.sh"), PosixFilePermissions.fromString("rwx------"));
        assertThat(FolderComparison.compare(List.of(a, b))).isEmpty();
    }

    @Test
    void missingEntries() throws IOException {
        Files.writeString(a.resolve("only-in-a"), "x");
        Files.delete(b.resolve("dir/sub/file.txt"));
        assertThat(FolderComparison.compare(List.of(a, b))).containsExactly(
                new Difference("dir/sub/file.txt", "missing in " + b),
                new Difference("only-in-a", "missing in " + b));
    }

    @Test
    void contentDiffers() throws IOException {
        Files.writeString(b.resolve("dir/sub/file.txt"), "other");
        List<Difference> diffs = FolderComparison.compare(List.of(a, b));
        assertThat(diffs).singleElement().satisfies(d -> {
            assertThat(d.path()).isEqualTo("dir/sub/file.txt");
            assertThat(d.description()).startsWith("content differs: " + a + "=").contains(" " + b + "=");
        });
    }

    @Test
    void typeDiffers() throws IOException {
        Files.delete(b.resolve("script.sh"));
        Files.createDirectory(b.resolve("script.sh"));
        assertThat(FolderComparison.compare(List.of(a, b))).containsExactly(
                new Difference("script.sh", "type differs: " + a + "=file " + b + "=dir"));
    }

    @Test
    void executableBitDiffers() throws IOException {
        Files.setPosixFilePermissions(b.resolve("script.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(FolderComparison.compare(List.of(a, b))).singleElement()
                .satisfies(d -> assertThat(d.description()).startsWith("executable bit differs"));
    }

    @Test
    void symlinkTargetDiffers() throws IOException {
        Files.delete(b.resolve("link"));
        Files.createSymbolicLink(b.resolve("link"), Path.of("elsewhere"));
        assertThat(FolderComparison.compare(List.of(a, b))).singleElement()
                .satisfies(d -> assertThat(d.description()).isEqualTo("symlink target differs: " + a + "=dir/sub/file.txt " + b + "=elsewhere"));
    }

    @Test
    void comparesThreeFoldersSortedByPath() throws IOException {
        Path c = tmp.resolve("c");
        Files.createDirectories(c.resolve("dir/sub"));
        Files.writeString(c.resolve("dir/sub/file.txt"), "changed");
        List<Difference> diffs = FolderComparison.compare(List.of(a, b, c));
        assertThat(diffs).extracting(Difference::path)
                .containsExactly("dir/sub/file.txt", "link", "script.sh");
        assertThat(diffs.get(0).description()).startsWith("content differs");
    }

    @Test
    void rejectsMissingDirectoriesAndTooFewFolders() {
        assertThatThrownBy(() -> FolderComparison.compare(List.of(a, tmp.resolve("nope"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> FolderComparison.compare(List.of(a)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least two");
    }
}
