package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the first node of a new cluster while it starts: killed before the cluster's first
 * entry (its configuration) is in its log, it knows its group but no members. Started again with
 * the same command, it must lead its cluster as if it had never stopped, not wait for ever.
 */
class BootstrapCrashIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aNodeKilledWhileBootstrappingLeadsItsClusterWhenStartedAgain() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 0)) {
            TestNode first = cluster.newNode();
            cluster.register(first);
            first.launch();
            // Ratis has started the new group when the node says so; its election comes 0.5-1 s later.
            await().atMost(T).pollInterval(Duration.ofMillis(5)).until(() -> log(first).contains("Bootstrapped a new cluster"));
            first.kill();
            assertThat(raftLogSegments(first)).as("killed before the cluster's first entry was in its log").isEmpty();

            first.start(); // until healthy: the leader of its cluster
            cluster.addNode();
            ItSupport.write(first.file("after-the-crash.txt"), "written after the crash".getBytes(StandardCharsets.UTF_8));
            awaitContent(cluster.nodes(), "after-the-crash.txt", "written after the crash", T);
        }
    }

    private static String log(TestNode n) throws IOException {
        return Files.exists(n.log) ? Files.readString(n.log) : "";
    }

    private static List<Path> raftLogSegments(TestNode n) throws IOException {
        Path raft = n.config().stateDir().resolve("raft");
        if (!Files.isDirectory(raft)) return List.of();
        try (Stream<Path> files = Files.walk(raft)) {
            return files.filter(f -> f.getFileName().toString().startsWith("log_")).toList();
        }
    }
}
