package io.pickbox.sync;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PathProblemsTest {

    private final PathProblems problems = new PathProblems();

    @Test
    void eachListKeepsTheNewestPathsUpToItsBound() {
        int n = PathProblems.MAX_PATHS + 5;
        for (int i = 0; i < n; i++) {
            problems.block("b" + i, "refused", null);
            problems.report("p" + i, "waiting for the cluster");
        }
        assertThat(problems.blocked()).hasSize(PathProblems.MAX_PATHS);
        assertThat(problems.problems()).hasSize(PathProblems.MAX_PATHS);
        assertThat(problems.blockedAt("b4")).isNull();
        assertThat(problems.blockedAt("b5")).isNotNull();
        assertThat(problems.problemAt("p" + (n - 1))).isEqualTo("waiting for the cluster");
        assertThat(problems.problems().keySet().iterator().next()).as("oldest first").isEqualTo("p5");
    }

    @Test
    void clearForgetsBothAndASymlinkIsReportedOnceUntilForgotten() {
        problems.block("a", "refused", null);
        problems.report("a", "error");
        problems.clear("a");
        assertThat(problems.blockedAt("a")).isNull();
        assertThat(problems.problemAt("a")).isNull();

        assertThat(problems.firstSightOfUnreplicated("link")).isTrue();
        assertThat(problems.firstSightOfUnreplicated("link")).isFalse();
        for (int i = 0; i < PathProblems.MAX_PATHS; i++) problems.firstSightOfUnreplicated("other" + i);
        assertThat(problems.firstSightOfUnreplicated("link")).as("forgotten past the bound").isTrue();
    }

    @Test
    void aPathWaitingForADirectoryIsBlockedWithItsReasonAndLoggedOncePerReason() {
        assertThat(problems.waitFor("d/x.txt", "d is a symlink")).isTrue();
        assertThat(problems.problemAt("d/x.txt")).isEqualTo("d is a symlink");
        assertThat(problems.waitingAt("d/x.txt")).isTrue();
        problems.clear("d/x.txt"); // every look at the path starts so
        assertThat(problems.waitingAt("d/x.txt")).isFalse();
        assertThat(problems.waitFor("d/x.txt", "d is a symlink")).as("said once").isFalse();
        assertThat(problems.waitFor("d/x.txt", "d/e is a symlink")).as("another reason").isTrue();
        problems.report("d/x.txt", "disk full");
        assertThat(problems.waitingAt("d/x.txt")).as("an error now, not a wait").isFalse();
    }
}
