package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelPathsTest {
    @Test
    void childOfRootHasNoLeadingSlash() {
        assertThat(RelPaths.child("", "a")).isEqualTo("a");
        assertThat(RelPaths.child("a/b", "c")).isEqualTo("a/b/c");
    }

    @Test
    void selfOrBelowRespectsComponentBoundaries() {
        assertThat(RelPaths.isSelfOrBelow("a/b", "a")).isTrue();
        assertThat(RelPaths.isSelfOrBelow("a", "a")).isTrue();
        assertThat(RelPaths.isSelfOrBelow("ab", "a")).isFalse();
        assertThat(RelPaths.isSelfOrBelow("anything", "")).isTrue();
    }

    @Test
    void rebase() {
        assertThat(RelPaths.rebase("a/b/c", "a", "x/y")).isEqualTo("x/y/b/c");
        assertThat(RelPaths.rebase("a", "a", "z")).isEqualTo("z");
    }
}
