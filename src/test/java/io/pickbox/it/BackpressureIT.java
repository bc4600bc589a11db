package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backpressure end to end: a burst of many small files written into a node with a small heap is
 * proposed as fast as Raft takes it, the files waiting as paths rather than as queued proposals
 * with their bytes. The node stays up and the cluster converges.
 */
class BackpressureIT {

    private static final int DIRS = 200;
    private static final int FILES_PER_DIR = 100;
    private static final int FILE_SIZE = 64;
    /** Small, yet enough for the index of the burst's files, which lives in the heap. */
    private static final String HEAP = "-Xmx64m";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aBurstOfSmallFilesIntoASmallHeapIsReplicatedWithoutTheNodeFalling() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 3, HEAP)) {
            TestNode writer = cluster.node(0);
            writeBurst(writer.file("burst"));
            int files = DIRS * FILES_PER_DIR;

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                for (TestNode n : cluster.nodes()) {
                    assertThat(n.running()).as(n + " is up").isTrue();
                    JsonNode s = n.status();
                    assertThat(s.path("files").asInt()).as("entries committed on " + n).isGreaterThanOrEqualTo(files + DIRS + 1);
                    assertThat(s.path("pending").asInt()).as("pending on " + n).isZero();
                }
            });
            // Comparing every file of three folders takes longer than the burst: count them, and
            // read one file a directory.
            for (TestNode n : cluster.nodes()) {
                try (var all = Files.walk(n.file("burst"))) {
                    assertThat(all.filter(Files::isRegularFile).count()).as("files on " + n).isEqualTo(files);
                }
                for (int d = 0; d < DIRS; d++) {
                    int f = (d * 37) % FILES_PER_DIR;
                    assertThat(n.file("burst/d" + d + "/f" + f)).hasBinaryContent(content(d, f));
                }
            }
            assertThat(writer.get("/metrics").body()).contains("pickbox_proposals_in_flight ",
                    "pickbox_proposals_in_flight_bytes ", "pickbox_paths_waiting ");
            for (TestNode n : cluster.nodes()) {
                assertThat(n.running()).as(n + " stayed up:\n" + n.tail()).isTrue();
                System.out.printf("%s: heap in use after the burst %.1f MB%n", n, heapUsed(n) / 1e6);
            }
        }
    }

    /** Writes the files as fast as one thread can. */
    private static void writeBurst(Path root) throws Exception {
        for (int d = 0; d < DIRS; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIR; f++) Files.write(dir.resolve("f" + f), content(d, f));
        }
    }

    /** Each file's own content: its path, padded. */
    private static byte[] content(int d, int f) {
        byte[] content = new byte[FILE_SIZE];
        Arrays.fill(content, (byte) '.');
        byte[] name = ("d" + d + "/f" + f + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, content, 0, name.length);
        return content;
    }

    /** The heap in use, as the node's /metrics reports it (the sum of its heap pools). */
    private static double heapUsed(TestNode n) throws Exception {
        double sum = 0;
        for (String line : n.get("/metrics").body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
