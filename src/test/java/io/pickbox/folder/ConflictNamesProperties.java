package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ConflictNamesProperties {

    @Provide
    Arbitrary<String> validPaths() {
        Arbitrary<String> chars = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcXYZ.-_ ").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withChars("é日😀\u0301.a").ofMinLength(1).ofMaxLength(90),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(300));
        Arbitrary<String> segment = chars.map(s -> s.replace("/", "_"));
        return segment.list().ofMinSize(1).ofMaxSize(4)
                .map(l -> String.join("/", l))
                .filter(PathValidator::isValid)
                .map(PathValidator::normalize);
    }

    @Provide
    Arbitrary<String> origins() {
        return Arbitraries.oneOf(Arbitraries.of("node1", "n2", "node-3"), Arbitraries.strings().ofMaxLength(80));
    }

    @Provide
    Arbitrary<Set<Integer>> takenCounters() {
        return Arbitraries.integers().between(1, 6).set().ofMaxSize(5);
    }

    @Property(tries = 1500)
    void resultIsAValidSiblingThatDiffers(@ForAll("validPaths") String path, @ForAll("origins") String origin,
                                          @ForAll long index, @ForAll("takenCounters") Set<Integer> takenCounters) {
        // Mark the n-th candidate as taken for each n in takenCounters.
        int[] asked = {0};
        String result = ConflictNames.conflictPath(path, origin, index, candidate -> takenCounters.contains(++asked[0]));

        assertThat(PathValidator.normalize(result)).isEqualTo(result);
        assertThat(ConflictNamesTest.bytes(ConflictNamesTest.lastSegment(result))).isLessThanOrEqualTo(255);
        assertThat(dirOf(result)).isEqualTo(dirOf(path));
        assertThat(result).isNotEqualTo(path);
        assertThat(Ignores.isInternal(result)).isFalse();

        int[] askedAgain = {0};
        String again = ConflictNames.conflictPath(path, origin, index, candidate -> takenCounters.contains(++askedAgain[0]));
        assertThat(again).isEqualTo(result);
    }

    @Property(tries = 1500)
    void everyCopyWhoseStemWasNotShortenedStartsWithTheCopiesPrefix(@ForAll("validPaths") String path,
                                                                    @ForAll("origins") String origin, @ForAll long index) {
        String copy = ConflictNames.conflictPath(path, origin, index, candidate -> false);
        boolean shortened = ConflictNamesTest.bytes(ConflictNamesTest.lastSegment(path))
                + ConflictNamesTest.bytes(".conflict-" + ConflictNames.sanitizeOrigin(origin) + "-" + index) > 255;
        if (!shortened) assertThat(copy).startsWith(ConflictNames.copiesPrefix(path, origin));
    }

    private static String dirOf(String p) {
        int slash = p.lastIndexOf('/');
        return slash < 0 ? "" : p.substring(0, slash);
    }
}
