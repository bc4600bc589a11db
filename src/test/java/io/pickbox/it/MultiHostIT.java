package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.NamespaceCluster.awaitConverged;
import static io.pickbox.it.NamespaceCluster.awaitFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes on three hosts (network namespaces, one address each on a bridge): one bootstraps,
 * two join through its address, and files replicate from any of them to the others; a large
 * file's chunks go host to host over the peers' admin API, not through the Raft log.
 */
class MultiHostIT {

    private static final int MIB = 1 << 20;
    private static final Duration REPLICATION = Duration.ofSeconds(30);

    @RegisterExtension
    final NodeLogsOnFailure logs = new NodeLogsOnFailure();

    @Test
    void nodesOnThreeHostsReplicateBothWaysAndPushLargeFilesHostToHost(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path base)
            throws Exception {
        try (NamespaceCluster cluster = logs.watch(NamespaceCluster.start(base, 3))) {
            NamespaceNode a = cluster.node("a");
            NamespaceNode b = cluster.node("b");
            NamespaceNode c = cluster.node("c");

            for (NamespaceNode n : cluster.nodes()) {
                for (JsonNode m : n.status().path("members")) {
                    NamespaceNode member = cluster.node(m.path("id").asText());
                    assertThat(m.path("address").asText()).as("Raft address of " + member + " seen by " + n)
                            .isEqualTo(member.raftAddress());
                    assertThat(m.path("peer").asText()).as("peer (chunk) address of " + member + " seen by " + n)
                            .isEqualTo(member.address + ":" + (NamespaceCluster.RAFT_PORT + NodeConfig.PEER_PORT_OFFSET));
                    assertThat(m.path("certificateExpires").asText()).as("certificate of " + member + " seen by " + n).isNotEmpty();
                }
            }

            byte[] fromA = "written on host 1\n".getBytes(StandardCharsets.UTF_8);
            ItSupport.write(a.file("from-a.txt"), fromA);
            awaitFiles(List.of(b, c), Map.of("from-a.txt", fromA), REPLICATION);

            byte[] fromC = "written on host 3\n".getBytes(StandardCharsets.UTF_8);
            ItSupport.write(c.file("docs/from-c.txt"), fromC);
            awaitFiles(List.of(a, b), Map.of("docs/from-c.txt", fromC), REPLICATION);

            double committedBefore = chunkBytesCommitted(cluster);
            double pushedBefore = metric(b.metrics(), "pickbox_chunk_pushed_bytes_total", "");
            byte[] large = ItSupport.randomBytes(3 * MIB, 18);
            ItSupport.write(b.file("large/three-mib.bin"), large);
            awaitFiles(List.of(a, c), Map.of("large/three-mib.bin", large), REPLICATION);
            assertThat(metric(b.metrics(), "pickbox_chunk_pushed_bytes_total", "") - pushedBefore)
                    .as("bytes b pushed to its peers' hosts").isGreaterThanOrEqualTo(large.length);
            assertThat(chunkBytesCommitted(cluster)).as("chunk bytes carried through the Raft log").isEqualTo(committedBefore);

            awaitConverged(cluster.nodes(), REPLICATION);

            // The admin APIs, bound to the hosts' addresses, speak HTTPS to other hosts; plaintext
            // from another host is refused before its token is read.
            var plaintext = AdminHttp.get(a.adminAddress(), "/v1/status", "Authorization", "Bearer not-checked");
            assertThat(plaintext.statusCode()).isEqualTo(403);
            assertThat(plaintext.body()).contains("https");
        }
    }

    /** Any voter admits a node: the first one may be long gone. */
    @Test
    void aVoterAdmitsANewNodeAfterTheFirstNodeIsGone(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path base) throws Exception {
        try (NamespaceCluster cluster = logs.watch(NamespaceCluster.start(base, 3, 1))) {
            NamespaceNode a = cluster.node("a");
            NamespaceNode b = cluster.node("b");
            NamespaceNode c = cluster.node("c");
            a.stop();
            String invite = cluster.invite(b, false);
            NamespaceNode d = cluster.spare(4, "d");
            cluster.start(d, c.raftAddress(), invite);
            cluster.awaitHealthy(d);

            byte[] fromD = "written on the newest host\n".getBytes(StandardCharsets.UTF_8);
            ItSupport.write(d.file("from-d.txt"), fromD);
            awaitFiles(List.of(b, c), Map.of("from-d.txt", fromD), REPLICATION);
            byte[] fromB = "written on host 2\n".getBytes(StandardCharsets.UTF_8);
            ItSupport.write(b.file("from-b.txt"), fromB);
            awaitFiles(List.of(c, d), Map.of("from-b.txt", fromB), REPLICATION);
            assertThat(d.status().path("members")).hasSize(4);
        }
    }

    private static double chunkBytesCommitted(NamespaceCluster cluster) throws Exception {
        double sum = 0;
        for (NamespaceNode n : cluster.nodes()) sum += metric(n.metrics(), "pickbox_chunk_committed_bytes_total", "");
        return sum;
    }
}
