package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConflictNamesTest {
    private static final Predicate<String> NONE_TAKEN = p -> false;

    @ParameterizedTest
    @CsvSource({
            "a.txt,            a.conflict-n1-7.txt",
            "a.tar.gz,         a.tar.conflict-n1-7.gz",
            ".bashrc,          .bashrc.conflict-n1-7",
            ".config.json,     .config.conflict-n1-7.json",
            "Makefile,         Makefile.conflict-n1-7",
            "dir/sub/x.md,     dir/sub/x.conflict-n1-7.md",
            "dir.d/noext,      dir.d/noext.conflict-n1-7",
            "trailing.,        trailing..conflict-n1-7",
    })
    void examples(String path, String expected) {
        assertThat(ConflictNames.conflictPath(path, "n1", 7, NONE_TAKEN)).isEqualTo(expected);
    }

    @Test
    void takenNamesGetCounter() {
        Set<String> taken = Set.of("a.conflict-n1-7.txt", "a.conflict-n1-7-2.txt");
        assertThat(ConflictNames.conflictPath("a.txt", "n1", 7, taken::contains)).isEqualTo("a.conflict-n1-7-3.txt");
        assertThat(ConflictNames.conflictPath("a.txt", "n1", 7, Set.of("a.conflict-n1-7.txt")::contains))
                .isEqualTo("a.conflict-n1-7-2.txt");
    }

    @Test
    void oddOriginsAreSanitized() {
        assertThat(ConflictNames.conflictPath("a.txt", "node/1.x y", 3, NONE_TAKEN)).isEqualTo("a.conflict-node_1_x_y-3.txt");
        assertThat(ConflictNames.conflictPath("a.txt", "", 3, NONE_TAKEN)).isEqualTo("a.conflict-unknown-3.txt");
        assertThat(ConflictNames.conflictPath("a.txt", null, 3, NONE_TAKEN)).isEqualTo("a.conflict-unknown-3.txt");
    }

    @Test
    void longAsciiNameIsTruncatedToFit() {
        String name = "a".repeat(251) + ".txt"; // exactly 255 bytes
        String result = ConflictNames.conflictPath("d/" + name, "node1", 42, NONE_TAKEN);
        assertThat(result).startsWith("d/aaa").endsWith(".conflict-node1-42.txt");
        assertThat(bytes(lastSegment(result))).isEqualTo(255);
        assertThat(PathValidator.isValid(result)).isTrue();
    }

    @Test
    void truncationNeverSplitsMultiByteCharacters() {
        for (String ch : new String[] {"é", "日", "😀"}) {
            String name = ch.repeat(255 / bytes(ch));
            for (String taken : new String[] {null, "all-but-counter"}) {
                Predicate<String> isTaken = taken == null ? NONE_TAKEN : p -> !p.matches(".*-\\d+-\\d+$");
                String result = ConflictNames.conflictPath(name, "node1", 7, isTaken);
                assertThat(bytes(result)).isLessThanOrEqualTo(255);
                assertThat(result.replace(".conflict-node1-7", "").replaceAll("-\\d+$", "")).matches("(" + ch + ")+");
                assertThat(PathValidator.isValid(result)).isTrue();
                assertThat(new String(result.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(result);
            }
        }
    }

    @Test
    void neverReturnsTheOriginalEvenWhenTruncationWouldRecreateIt() {
        String tag = ".conflict-n1-7";
        String name = "x".repeat(255 - tag.length() - 4) + tag + ".txt";
        assertThat(bytes(name)).isEqualTo(255);
        String result = ConflictNames.conflictPath(name, "n1", 7, NONE_TAKEN);
        assertThat(result).isNotEqualTo(name).endsWith(tag + "-2.txt");
        assertThat(bytes(result)).isLessThanOrEqualTo(255);
    }

    @Test
    void hugeExtensionIsTreatedAsPartOfTheStem() {
        String name = "a." + "b".repeat(250);
        String result = ConflictNames.conflictPath(name, "n1", 7, NONE_TAKEN);
        assertThat(result).startsWith("a.bbb").endsWith(".conflict-n1-7");
        assertThat(bytes(result)).isLessThanOrEqualTo(255);
    }

    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static String lastSegment(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
