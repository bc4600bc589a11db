package io.pickbox.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class IdleTrimTest {

    @Test
    void collectsOnceAfterActivityHasBeenQuietLongEnough() {
        AtomicLong ops = new AtomicLong();
        AtomicLong collections = new AtomicLong();
        IdleTrim trim = new IdleTrim(ops::get, 3, collections::incrementAndGet);
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
        assertThat(collections).hasValue(2);
    }

    @Test
    void trimsTheNativeHeapOnGlibc() throws Exception {
        boolean musl;
        try (var libs = java.nio.file.Files.list(java.nio.file.Path.of("/lib"))) {
            musl = libs.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl"));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(com.sun.jna.Platform.isLinux() && !musl, "glibc only");
        assertThat(io.pickbox.os.NativeHeap.trim()).isTrue();
    }
}
