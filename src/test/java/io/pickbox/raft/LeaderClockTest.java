package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LeaderClockTest {

    @Test
    void neverGoesBackNorBehindTheCommittedTime() {
        AtomicLong wall = new AtomicLong(1_000);
        AtomicLong committed = new AtomicLong(0);
        LeaderClock clock = new LeaderClock(wall::get, committed::get);

        assertThat(clock.next()).isEqualTo(1_000);
        wall.set(900); // the wall clock stepped back
        assertThat(clock.next()).isEqualTo(1_000);
        committed.set(5_000); // a former leader's clock was ahead
        assertThat(clock.next()).isEqualTo(5_000);
        wall.set(6_000);
        assertThat(clock.next()).isEqualTo(6_000);
    }
}
