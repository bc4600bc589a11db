package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeScannerTest {
    @TempDir
    Path root;

    @Test
    void visitsEverythingOnceWithRelativePathsParentsFirst() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/f.txt"), "x");
        Files.writeString(root.resolve("top.txt"), "y");
        Files.createDirectory(root.resolve("empty"));
        Files.createSymbolicLink(root.resolve("a/link"), root.resolve("a/b"));

        Map<String, FileStat.Kind> seen = scan("", p -> false);

        assertThat(seen).containsExactly(
                Map.entry("a", FileStat.Kind.DIR),
                Map.entry("a/b", FileStat.Kind.DIR),
                Map.entry("a/b/f.txt", FileStat.Kind.FILE),
                Map.entry("a/link", FileStat.Kind.SYMLINK),
                Map.entry("empty", FileStat.Kind.DIR),
                Map.entry("top.txt", FileStat.Kind.FILE));
    }

    @Test
    void doesNotFollowSymlinkedDirectories() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.writeString(outside.resolve("secret"), "s");
            Files.createSymbolicLink(root.resolve("link"), outside);
            assertThat(scan("", p -> false)).containsOnlyKeys("link");
            assertThat(scan("link", p -> false)).isEmpty();
        } finally {
            AtomicFiles.deleteRecursively(outside);
        }
    }

    @Test
    void scansSubtree() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/f"), "x");
        Files.writeString(root.resolve("other"), "x");
        assertThat(scan("a", p -> false)).containsOnlyKeys("a/b", "a/b/f");
        assertThat(scan("missing", p -> false)).isEmpty();
    }

    @Test
    void skipsInternalIgnoredAndInvalidEntries() throws IOException {
        Files.createDirectories(root.resolve(".pickbox/state"));
        Files.writeString(root.resolve(".pickbox-tmp-123"), "partial");
        Files.createDirectories(root.resolve("ignored/deep"));
        Files.writeString(root.resolve("bad\\name"), "x");
        Files.writeString(root.resolve("line\nbreak"), "x");
        Files.writeString(root.resolve("ok"), "x");

        assertThat(scan("", p -> p.equals("ignored"))).containsOnlyKeys("ok");
    }

    @Test
    void skipsNfdNamesThatCannotBeAddressedOnThisFileSystem() throws IOException {
        String nfd = "cafe\u0301";
        Files.writeString(root.resolve(nfd), "x");
        boolean normalizationInsensitive = Files.exists(root.resolve("caf\u00e9"));
        Map<String, FileStat.Kind> seen = scan("", p -> false);
        if (normalizationInsensitive) {
            assertThat(seen).containsOnlyKeys("caf\u00e9");
        } else {
            assertThat(seen).isEmpty();
        }
    }

    @Test
    void missingRootIsAnError() {
        assertThatThrownBy(() -> TreeScanner.scan(root.resolve("nope"), "", p -> false, (p, s) -> {}))
                .isInstanceOf(NoSuchFileException.class);
    }

    private Map<String, FileStat.Kind> scan(String relDir, Predicate<String> ignored) throws IOException {
        Map<String, FileStat.Kind> seen = new LinkedHashMap<>();
        TreeScanner.scan(root, relDir, ignored, (rel, stat) -> {
            assertThat(seen).doesNotContainKey(rel);
            seen.put(rel, stat.kind());
        });
        return seen;
    }

    @Test
    void aDirectorySwappedForASymlinkAfterItWasSeenIsNotDescendedInto() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.writeString(outside.resolve("secret"), "s");
            Files.createDirectories(root.resolve("a"));
            Files.writeString(root.resolve("a/mine"), "m");
            Map<String, FileStat.Kind> seen = new LinkedHashMap<>();
            TreeScanner.scan(root, "", p -> false, (rel, st) -> {
                seen.put(rel, st.kind());
                if (rel.equals("a")) swapForLink(root.resolve("a"), outside);
            });
            assertThat(seen).as("a's content is reached only through a, a link now").containsOnlyKeys("a");
            assertThat(seen.keySet()).noneMatch(p -> p.contains("secret"));
        } finally {
            AtomicFiles.deleteRecursively(outside);
        }
    }

    private void swapForLink(Path dir, Path target) {
        try {
            Files.move(dir, root.resolve("parked"));
            Files.createSymbolicLink(dir, target);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aNameThatCannotBeReplicatedIsWarnedOncePerPathNotPerScan() throws IOException {
        String name = "line\nbreak-" + System.nanoTime();
        Files.writeString(root.resolve(name), "x");
        Files.writeString(root.resolve("ok"), "x");
        try (SkippedNamesLog warnings = SkippedNamesLog.capture()) {
            for (int i = 0; i < 3; i++) assertThat(scan("", p -> false)).containsOnlyKeys("ok");
            assertThat(warnings.containing(name.substring(11))).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(e.getFormattedMessage()).contains("skipping", "line\\u000Abreak", "control character");
            });
        }
    }
}
