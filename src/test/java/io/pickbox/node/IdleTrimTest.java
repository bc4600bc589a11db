package io.pickbox.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class IdleTrimTest {

    @Test
    void collectsOnceAfterActivityHasBeenQuietLongEnough() {
        AtomicLong ops = new AtomicLong();
        IdleTrim trim = new IdleTrim(ops::get, 3);
        // Idle from the start: nothing grew, nothing to give back.
        for (int i = 0; i < 10; i++) assertThat(trim.check()).isFalse();

        ops.addAndGet(500);
        assertThat(trim.check()).isFalse();
        assertThat(trim.check()).isFalse();
        assertThat(trim.check()).isFalse();
        assertThat(trim.check()).as("third quiet check after work").isTrue();
        for (int i = 0; i < 10; i++) assertThat(trim.check()).as("idle stays idle: no more collections").isFalse();

        ops.incrementAndGet();
        assertThat(trim.check()).isFalse();
        ops.incrementAndGet();
        assertThat(trim.check()).as("still busy").isFalse();
        assertThat(trim.check()).isFalse();
        assertThat(trim.check()).isFalse();
        assertThat(trim.check()).isTrue();
    }
}
