package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the one parser every replicated or requested path goes through: paths as they arrive
 * in requests and entries (UTF-8 bytes, damaged, near the length limits) are canonical paths within
 * every rule, or refused with an {@link InvalidPathException} that says why.
 */
@AddLifecycleHook(FuzzTries.class)
class PathValidatorFuzzProperties {

    private static final Path ROOT = Path.of("/srv/pickbox/root");

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("a", "é", "e\u0301", "😀", "日本", ".hidden", "x.txt", ".pickbox", "C:", "..", "."),
                Arbitraries.strings().withChars("ab.").ofLength(255),
                Arbitraries.strings().withChars("é").ofLength(128));
        Arbitrary<String> valid = segment.list().ofMinSize(1).ofMaxSize(20).map(s -> String.join("/", s));
        Arbitrary<byte[]> utf8 = Mutations.of(valid.map(p -> p.getBytes(StandardCharsets.UTF_8)));
        return Arbitraries.oneOf(
                utf8.map(b -> new String(b, StandardCharsets.UTF_8)),
                utf8.map(b -> new String(b, StandardCharsets.ISO_8859_1)),
                Mutations.ofText(valid));
    }

    @Property(tries = 3000)
    void aPathIsCanonicalWithinTheRulesOrRefused(@ForAll("paths") String raw) {
        String[] canonical = new String[1];
        Throwable t = catchThrowable(() -> canonical[0] = PathValidator.normalize(raw));
        Outcomes.count(t);
        if (t != null) {
            assertThat(t).isExactlyInstanceOf(InvalidPathException.class).hasMessageStartingWith("invalid path ");
            assertThat(PathValidator.isValid(raw)).isFalse();
            return;
        }
        String p = canonical[0];
        assertThat(PathValidator.normalize(p)).isEqualTo(p);
        assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PathValidator.MAX_PATH_BYTES);
        for (String segment : p.split("/", -1)) {
            assertThat(segment).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotStartWith(PathValidator.TEMP_PREFIX);
            assertThat(segment.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PathValidator.MAX_SEGMENT_BYTES);
        }
        assertThat(p.split("/")[0]).isNotEqualTo(PathValidator.STATE_DIR);
        assertThat(p.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\')).isTrue();
        // a lone surrogate has no UTF-8 form: it would not come back from disk as it went in
        assertThat(new String(p.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(p);
        Path resolved = PathValidator.resolve(ROOT, p);
        assertThat(resolved).startsWithRaw(ROOT).isNotEqualTo(ROOT);
        assertThat(ROOT.relativize(resolved).toString()).isEqualTo(p);
        PathValidator.caseFold(p);
    }
}
