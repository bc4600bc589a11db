package io.pickbox.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.store.Keys;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The order a tree restore goes through paths in is the store's: that of their UTF-8 bytes. */
class RestoreOrderTest {

    private static final int[] CODE_POINTS = {'a', 'z', '/', '0', ' ', 0xE9, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};

    private static String randomPath(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(6); i >= 0; i--) sb.appendCodePoint(CODE_POINTS[r.nextInt(CODE_POINTS.length)]);
        return sb.toString();
    }

    @Test
    void pathsCompareAsTheirUtf8Bytes() {
        Random r = new Random(21);
        for (int i = 0; i < 200_000; i++) {
            String a = randomPath(r), b = randomPath(r);
            int expected = Integer.signum(Arrays.compareUnsigned(Keys.of(a), Keys.of(b)));
            assertThat(Integer.signum(Keys.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
        }
    }
}
