package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PathValidatorProperties {
    private static final Path ROOT = Path.of("/srv/pickbox/root");

    /** Strings biased towards the interesting characters, plus arbitrary Unicode. */
    @Provide
    Arbitrary<String> pathLike() {
        Arbitrary<String> tricky = Arbitraries.strings()
                .withChars('/', '.', '\\', '\u0000', ':', 'a', 'B', 'é', '\u0301', '\n', ' ', '\uD83D', '\uDE00')
                .ofMaxLength(20);
        Arbitrary<String> tokens = Arbitraries.of("a", "..", ".", "/", "//", ".pickbox", ".pickbox-tmp-", "C:", "\\", "e\u0301", "😀", "")
                .list().ofMaxSize(8).map(l -> String.join("", l));
        return Arbitraries.oneOf(tricky, tokens, Arbitraries.strings().ofMaxLength(30));
    }

    @Property(tries = 2000)
    void normalizeIsIdempotent(@ForAll("pathLike") String raw) {
        if (PathValidator.isValid(raw)) {
            String once = PathValidator.normalize(raw);
            assertThat(PathValidator.normalize(once)).isEqualTo(once);
        }
    }

    @Property(tries = 2000)
    void acceptedPathsAreSafe(@ForAll("pathLike") String raw) {
        if (!PathValidator.isValid(raw)) {
            return;
        }
        String p = PathValidator.normalize(raw);
        assertThat(p).isNotEmpty().doesNotStartWith("/").doesNotEndWith("/").doesNotContain("\u0000").doesNotContain("\\");
        assertThat(("/" + p + "/")).doesNotContain("/../").doesNotContain("/./").doesNotContain("//");
        assertThat(Ignores.isInternal(p)).isFalse();
    }

    @Property(tries = 2000)
    void eitherRejectedOrResolvesUnderRoot(@ForAll("pathLike") String raw) {
        Path resolved;
        try {
            resolved = PathValidator.resolve(ROOT, raw);
        } catch (InvalidPathException e) {
            assertThat(e).hasMessageContaining("invalid path");
            return;
        }
        assertThat(resolved.normalize()).startsWithRaw(ROOT).isNotEqualTo(ROOT);
    }
}
