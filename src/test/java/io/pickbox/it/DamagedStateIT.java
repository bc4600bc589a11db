package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member whose store, every checkpoint and node.json were damaged while it was down (as a disk
 * or a power cut might leave them) starts anyway: the damaged files are moved aside and reported,
 * its index comes back from the cluster, and it ends with everything committed, before and while
 * it was down.
 */
class DamagedStateIT {

    private static final UnaryOperator<NodeConfig.Builder> SETTINGS = c -> c.snapshotEvery(50).segmentBytes(64 << 10);
    private static final Duration T = Duration.ofMinutes(2);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aMemberWithADamagedStoreAndCheckpointsRecoversFromTheCluster() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 3, SETTINGS, "-Xmx128m")) {
            TestNode writer = cluster.node(0);
            TestNode victim = cluster.node(2);
            Map<String, String> files = new TreeMap<>();
            // enough entries that every member checkpoints and drops the start of its log: a leader
            // still holding it would send the victim the entries instead of its checkpoint
            for (int i = 0; i < 400 && (i < 60 || ManyFiles.logStart(cluster.nodes()) <= 1); i++) {
                files.put("before/f" + i + ".txt", "before " + i + " " + "x".repeat(i % 300));
                TestCluster.write(writer.file("before/f" + i + ".txt"), files.get("before/f" + i + ".txt"));
                if (i % 20 == 19) ItSupport.awaitContent(cluster.nodes(), "before/f" + i + ".txt", files.get("before/f" + i + ".txt"), T);
            }
            ManyFiles.awaitSameIndex(cluster.nodes(), files.size(), T);
            assertThat(ManyFiles.checkpoints(victim)).isNotEmpty();
            assertThat(ManyFiles.logStart(cluster.nodes())).as("every member's log starts after its first entries").isGreaterThan(1);
            victim.stop();

            Path state = ManyFiles.stateDir(victim);
            damage(manifestIn(state.resolve("store")));
            for (Path cp : ManyFiles.checkpoints(victim)) damage(manifestIn(cp));
            Files.writeString(state.resolve("node.json"), "{\"nodeId\": \"n");

            for (int i = 0; i < 30; i++) {
                files.put("while-down/f" + i + ".txt", "while down " + i);
                TestCluster.write(writer.file("while-down/f" + i + ".txt"), files.get("while-down/f" + i + ".txt"));
            }
            ManyFiles.awaitSameIndex(List.of(cluster.node(0), cluster.node(1)), files.size(), T);

            victim.start();
            ManyFiles.awaitSameIndex(cluster.nodes(), files.size(), T);
            for (Map.Entry<String, String> f : files.entrySet()) {
                ItSupport.awaitContent(List.of(victim), f.getKey(), f.getValue(), T);
            }
            cluster.awaitConverged(T);
            ItSupport.assertNoConflicts(cluster.nodes());

            JsonNode problems = victim.status().path("problems");
            assertThat(problems.toString()).contains("state: store").contains("state: node.json").contains("moved aside");
            assertThat(ItSupport.logLinesContaining(List.of(victim), "is damaged")).hasSizeGreaterThanOrEqualTo(3);
            // no checkpoint left and a log that starts past an empty store: the leader's checkpoint, as for a new member
            assertThat(ItSupport.logLinesContaining(List.of(victim), "gets the leader's checkpoint")).hasSize(1);
            assertThat(ItSupport.logLinesContaining(List.of(victim), "Installed the index checkpoint")).isNotEmpty();
            assertThat(Files.readString(state.resolve("node.json"))).contains(victim.id());
            await().atMost(T).untilAsserted(() -> assertThat(ManyFiles.checkpoints(victim)).isNotEmpty());
        }
    }

    private static Path manifestIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("MANIFEST-") && !p.toString().endsWith(".md5"))
                    .findFirst().orElseThrow();
        }
    }

    private static void damage(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < bytes.length; i += 7) bytes[i] ^= 0x55;
        Files.write(file, bytes);
    }
}
