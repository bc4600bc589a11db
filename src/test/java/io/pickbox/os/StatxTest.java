package io.pickbox.os;

import org.junit.jupiter.api.Test;

import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/** statx's (seconds, nanoseconds) times become what the JDK makes of them. */
class StatxTest {

    @Test
    void timeConversionsMatchFileTime() {
        long[][] cases = {{-1, 1}, {-1, 0}, {0, 999_999}, {5, 1_000_000}, {-5, 999_999_999}, {Long.MAX_VALUE / 2, 3}};
        for (long[] c : cases) {
            long nanosOfTime = c[0];
            FileTime t = c[1] == 0 ? FileTime.from(c[0], java.util.concurrent.TimeUnit.SECONDS)
                    : overflowSafe(c[0], c[1]);
            assertThat(Statx.millis(c[0], c[1])).as("millis of %d s %d ns", c[0], c[1]).isEqualTo(t.toMillis());
            assertThat(Statx.nanos(c[0], c[1])).as("nanos of %d s %d ns", nanosOfTime, c[1])
                    .isEqualTo(t.to(java.util.concurrent.TimeUnit.NANOSECONDS));
        }
    }

    /** What the JDK makes of (seconds, nanoseconds) read from the file system. */
    private static FileTime overflowSafe(long sec, long nsec) {
        try {
            return FileTime.from(Math.addExact(nsec, Math.multiplyExact(sec, 1_000_000_000L)), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (ArithmeticException e) {
            return FileTime.from(sec * 1_000_000L + nsec / 1_000L, java.util.concurrent.TimeUnit.MICROSECONDS);
        }
    }
}
