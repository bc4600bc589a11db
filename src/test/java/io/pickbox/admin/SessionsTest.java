package io.pickbox.admin;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SessionsTest {

    private long now;
    private final Sessions sessions = new Sessions(3, Duration.ofHours(12), () -> now);

    @Test
    void anIdIsRandomAndOnlyAnIdItGaveOutIsLive() {
        String a = sessions.open();
        String b = sessions.open();
        assertThat(a).isNotEqualTo(b).hasSizeGreaterThanOrEqualTo(43);
        assertThat(sessions.use(a)).isTrue();
        assertThat(sessions.use(a + "x")).isFalse();
        assertThat(sessions.use("")).isFalse();
        assertThat(sessions.use(null)).isFalse();
    }

    @Test
    void useKeepsASessionAliveAndIdleEndsIt() {
        String a = sessions.open();
        now += Duration.ofHours(11).toNanos();
        assertThat(sessions.use(a)).isTrue();
        now += Duration.ofHours(11).toNanos();
        assertThat(sessions.use(a)).isTrue();
        now += Duration.ofHours(12).toNanos() + 1;
        assertThat(sessions.use(a)).isFalse();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void theLeastRecentlyUsedGoesWhenFull() {
        String a = sessions.open();
        String b = sessions.open();
        String c = sessions.open();
        assertThat(sessions.use(a)).isTrue();
        String d = sessions.open();
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.use(b)).isFalse();
        assertThat(sessions.use(a)).isTrue();
        assertThat(sessions.use(c)).isTrue();
        assertThat(sessions.use(d)).isTrue();
    }

    @Test
    void closeEndsASession() {
        String a = sessions.open();
        sessions.close(a);
        sessions.close(null);
        assertThat(sessions.use(a)).isFalse();
    }
}
