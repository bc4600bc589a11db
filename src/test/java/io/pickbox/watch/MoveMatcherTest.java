package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MoveMatcherTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final MoveMatcher m = new MoveMatcher(30);

    @Test
    void pairsByCookie() {
        m.movedFrom(1, "a", false, 0);
        m.movedFrom(2, "b", true, 0);
        assertThat(m.movedTo(2)).isEqualTo(new MoveMatcher.Pending("b", true, 30 * MS));
        assertThat(m.movedTo(3)).isNull();
        assertThat(m.isEmpty()).isFalse();
    }

    @Test
    void timeoutCountsDownToTheEarliestDeadline() {
        assertThat(m.millisUntilNextDeadline(0)).isEqualTo(-1);
        m.movedFrom(1, "a", false, 0);
        m.movedFrom(2, "b", false, 10 * MS);
        assertThat(m.millisUntilNextDeadline(0)).isEqualTo(30);
        assertThat(m.millisUntilNextDeadline(29 * MS + 1)).isEqualTo(1);
        assertThat(m.millisUntilNextDeadline(30 * MS)).isZero();
    }

    @Test
    void onlyExpiredEntriesAreTaken() {
        m.movedFrom(1, "a", false, 0);
        m.movedFrom(2, "b", false, 10 * MS);
        assertThat(m.takeExpired(35 * MS)).extracting(MoveMatcher.Pending::rel).containsExactly("a");
        assertThat(m.takeExpired(40 * MS)).extracting(MoveMatcher.Pending::rel).containsExactly("b");
        assertThat(m.isEmpty()).isTrue();
    }
}
