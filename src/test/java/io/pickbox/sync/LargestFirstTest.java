package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LargestFirstTest {

    @Test
    void largeFilesComeFirstAndEverythingElseKeepsItsOrder() {
        Map<String, Long> sizes = Map.of("a/1", 4096L, "big.bin", 1L << 30, "a/2", 4096L, "dir", 0L, "mid.bin", 5L << 20);
        List<String> order = PathScheduler.largestFirst(List.of("a/1", "big.bin", "a/2", "dir", "mid.bin", "gone"),
                p -> sizes.getOrDefault(p, 0L));
        assertThat(order).containsExactly("big.bin", "mid.bin", "a/1", "a/2", "dir", "gone");
    }
}
