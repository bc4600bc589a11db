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

    @Test
    void pathsSortAcrossDirectoriesAsWholePaths() throws IOException {
        // "x.txt" sorts between "x" and "x/...": the walk must not list x's contents right after x.
        for (String p : List.of("x/in.txt", "x.txt", "x0", "x-y/z")) Files.writeString(createParents(a.resolve(p)), "a");
        Files.writeString(createParents(b.resolve("x/in.txt")), "b");
        List<Difference> diffs = FolderComparison.compare(List.of(a, b));
        assertThat(diffs).extracting(Difference::path).containsExactly("x-y", "x-y/z", "x.txt", "x/in.txt", "x0");
        assertThat(diffs.get(3).description()).startsWith("content differs");
    }

    @Test
    void aFolderGivenAsASymlinkIsComparedAsItsDirectory() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("b-link"), b);
        assertThat(FolderComparison.compare(List.of(a, link))).isEmpty();
    }

    /** Many files: differences stream out while the walk goes on, and later directories are listed only when reached. */
    @Test
    void largeTreesAreWalkedADirectoryAtATime() throws IOException {
        Path x = tmp.resolve("x");
        Path y = tmp.resolve("y");
        for (Path root : List.of(x, y)) {
            for (int d = 0; d < 60; d++) {
                Path dir = Files.createDirectories(root.resolve(String.format("d%03d", d)));
                for (int f = 0; f < 60; f++) Files.writeString(dir.resolve("f" + f), d + "/" + f);
            }
        }
        Files.writeString(y.resolve("d000/f7"), "changed");
        Files.delete(y.resolve("d030/f50"));
        List<Difference> seen = new java.util.ArrayList<>();
        long count = FolderComparison.compare(List.of(x, y), diff -> {
            seen.add(diff);
            try {
                // Made after the first difference was handed out: only a walk that has not read d059 yet sees it.
                if (seen.size() == 1) Files.writeString(x.resolve("d059/late"), "late");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(seen).containsExactly(
                new Difference("d000/f7", seen.get(0).description()),
                new Difference("d030/f50", "missing in " + y),
                new Difference("d059/late", "missing in " + y));
        assertThat(seen.get(0).description()).startsWith("content differs");
        assertThat(count).isEqualTo(3);
    }

    private static Path createParents(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        return p;
    }
}
