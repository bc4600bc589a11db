package io.pickbox.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestPortsTest {

    @Test
    void portsAreNotHandedOutTwiceWithinAJvm() throws IOException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            for (int p : TestPorts.free(3)) assertThat(seen.add(p)).as("port " + p + " handed out twice").isTrue();
        }
        assertThat(seen).allMatch(p -> p >= 10_000 && p < 32_768);
    }

    @Test
    void aPortInUseIsSkipped() throws IOException {
        int[] two = TestPorts.free(2);
        try (ServerSocket held = new ServerSocket(two[1] + 1)) {
            int next = TestPorts.free(1)[0];
            assertThat(next).isNotEqualTo(held.getLocalPort());
        }
    }

    @Test
    void aBlockHasEveryOffsetFree() throws IOException {
        int p = TestPorts.block(3, 0, 1000, 2000);
        for (int offset : new int[] {0, 1000, 2000}) {
            for (int i = 0; i < 3; i++) new ServerSocket(p + offset + i).close();
        }
    }

    @Test
    void anotherJvmGetsOtherPorts() throws Exception {
        int[] mine = TestPorts.free(20);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OtherJvm.class.getName()).redirectErrorStream(true).start();
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(other.exitValue()).as(out).isZero();
        int[] theirs = Arrays.stream(out.split(" ")).mapToInt(Integer::parseInt).toArray();
        // Slices are 4,400 ports apart: no port of the other JVM is near this one's.
        for (int p : theirs) {
            for (int q : mine) assertThat(Math.abs(p - q)).as(p + " vs " + q).isGreaterThan(100);
        }
    }

    /** Runs in a JVM of its own while the test's JVM holds its slice. */
    static final class OtherJvm {
        public static void main(String[] args) throws IOException {
            StringBuilder out = new StringBuilder();
            for (int p : TestPorts.free(20)) out.append(p).append(' ');
            System.out.println(out.toString().trim());
        }
    }
}
