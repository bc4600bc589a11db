package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "a", "a/b/c", "file.txt", "dir with spaces/file name.txt", "日本語/ファイル.txt", "émoji 😀.png",
            ".bashrc", ".config/app.json", "...", "..a", "a..", ".pickboxx", "a/.pickbox", "a/.pickbox/b",
            "x.pickbox-tmp-1", "C", "ab:c"
    })
    void acceptsValidPaths(String path) {
        assertThat(PathValidator.normalize(path)).isEqualTo(path);
        assertThat(PathValidator.isValid(path)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "../x|'..' segments",
            "a/../b|'..' segments",
            "a/..|'..' segments",
            "./a|'.' segments",
            "a/./b|'.' segments",
            "/etc/passwd|absolute",
            "a//b|empty segment",
            "a/|trailing '/'",
            "/|absolute",
            ".pickbox|private state",
            ".pickbox/x|private state",
            ".pickbox-tmp-abc|reserved for temp files",
            "a/.pickbox-tmp-abc|reserved for temp files",
            "a\\b|backslash",
            "C:\\x|backslash",
            "C:/x|drive",
            "c:|drive",
            "a:b/c|drive",
    })
    void rejectsInvalidPaths(String path, String problem) {
        assertThatThrownBy(() -> PathValidator.normalize(path))
                .isInstanceOf(InvalidPathException.class)
                .hasMessageContaining(problem)
                .hasMessageContaining(path.replace("\\", "\\\\"));
        assertThat(PathValidator.isValid(path)).isFalse();
    }

    @Test
    void rejectsEmptyNullAndControlCharacters() {
        assertThatThrownBy(() -> PathValidator.normalize("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> PathValidator.normalize(null)).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> PathValidator.normalize("a\u0000b"))
                .isInstanceOf(InvalidPathException.class).hasMessageContaining("NUL").hasMessageContaining("a\\u0000b");
        for (char c : new char[] {'\n', '\r', '\t', 0x1F, 0x7F}) {
            assertThat(PathValidator.isValid("a" + c + "b")).as("char %04x", (int) c).isFalse();
        }
        assertThat(PathValidator.isValid("a\uD800b")).as("lone high surrogate").isFalse();
        assertThat(PathValidator.isValid("a\uDE00")).as("lone low surrogate").isFalse();
        assertThat(PathValidator.isValid("a\uD83D")).as("trailing high surrogate").isFalse();
    }

    @Test
    void normalizesNfdToNfc() {
        String nfd = "cafe\u0301/re\u0301sume\u0301.txt";
        String nfc = "caf\u00e9/r\u00e9sum\u00e9.txt";
        assertThat(PathValidator.normalize(nfd)).isEqualTo(nfc);
    }

    @Test
    void enforcesSegmentLimitInUtf8Bytes() {
        assertThat(PathValidator.isValid("a".repeat(255))).isTrue();
        assertThatThrownBy(() -> PathValidator.normalize("x/" + "a".repeat(256))).hasMessageContaining("255");
    }

    @Test
    void segmentLimitCountsMultiByteCharacters() {
        assertThat(PathValidator.isValid("é".repeat(127))).isTrue(); // 254 bytes
        assertThat(PathValidator.isValid("é".repeat(128))).isFalse(); // 256 bytes
        assertThat(PathValidator.isValid("😀".repeat(63))).isTrue(); // 252 bytes
        assertThat(PathValidator.isValid("😀".repeat(64))).isFalse(); // 256 bytes
    }

    @Test
    void enforcesWholePathLimit() {
        String segment = "a".repeat(200);
        String ok = String.join("/", java.util.Collections.nCopies(20, segment)); // 4019 bytes
        assertThat(PathValidator.isValid(ok)).isTrue();
        assertThatThrownBy(() -> PathValidator.normalize(ok + "/" + "b".repeat(100)))
                .hasMessageContaining("4096");
    }

    @Test
    void resolveStaysUnderRoot(@org.junit.jupiter.api.io.TempDir Path root) {
        assertThat(PathValidator.resolve(root, "a/b.txt")).isEqualTo(root.resolve("a").resolve("b.txt"));
        assertThatThrownBy(() -> PathValidator.resolve(root, "../x")).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> PathValidator.resolve(root, "")).isInstanceOf(InvalidPathException.class);
    }

    @Test
    void caseFoldDetectsCaseOnlyDifferences() {
        assertThat(PathValidator.caseFold("Dir/README.md")).isEqualTo(PathValidator.caseFold("dir/readme.MD"));
        assertThat(PathValidator.caseFold("Caf\u00c9")).isEqualTo(PathValidator.caseFold("cafe\u0301"));
        assertThat(PathValidator.caseFold("a")).isNotEqualTo(PathValidator.caseFold("b"));
        assertThat(PathValidator.caseFold("TITLE")).isEqualTo("title"); // Locale.ROOT, not Turkish
    }
}
