package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IgnoresTest {

    @ParameterizedTest
    @ValueSource(strings = {".pickbox", ".pickbox/state", ".pickbox/a/b", ".pickbox-tmp-1234", "a/b/.pickbox-tmp-x"})
    void internalPaths(String path) {
        assertThat(Ignores.isInternal(path)).isTrue();
        assertThat(Ignores.builtIn().isIgnored(path)).isTrue();
        assertThat(Ignores.builtIn().asPredicate().test(path)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/.pickbox", "a/.pickbox/x", ".pickboxrc", ".pickbox-tmp", "x.pickbox-tmp-1", ".pickbox-tmp-1/a"})
    void regularPaths(String path) {
        assertThat(Ignores.isInternal(path)).isFalse();
    }
}
