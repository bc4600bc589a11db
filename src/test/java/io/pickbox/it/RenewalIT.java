package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Certificates renew themselves through the cluster well before they expire: with a lifetime of a
 * minute, every member has a new certificate after about 40 s, and the cluster keeps replicating
 * (small files through Raft, a large one over the peer port) after the first ones expired.
 */
class RenewalIT {

    private static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void membersRenewTheirCertificatesAndKeepReplicatingPastTheFirstOnesExpiry() throws Exception {
        cluster = TestCluster.inJvm(base, 3, b -> b.security(new NodeConfig.Security(false, null, null, null, null, LIFETIME)));
        TestNode n1 = cluster.node(0);
        Map<String, Instant> first = expiries(n1);
        assertThat(first).containsOnlyKeys("node1", "node2", "node3");
        Instant lastExpiry = first.values().stream().max(Instant::compareTo).orElseThrow();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            Map<String, Instant> now = expiries(n1);
            for (String id : first.keySet()) assertThat(now.get(id)).as("certificate of " + id).isAfter(first.get(id));
        });

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(lastExpiry));
        TestCluster.write(cluster.node(2).file("after-expiry.txt"), "still replicating");
        awaitContent(cluster.nodes(), "after-expiry.txt", "still replicating", T);
        byte[] large = ItSupport.randomBytes(3 << 20, 7);
        ItSupport.write(cluster.node(1).file("large-after-expiry.bin"), large);
        awaitContent(cluster.nodes(), "large-after-expiry.bin", large, T);
        cluster.awaitConverged(T);
    }

    /** Each member's certificate expiry as {@code cluster status} reports it. */
    private static Map<String, Instant> expiries(TestNode asked) throws Exception {
        Map<String, Instant> out = new HashMap<>();
        for (JsonNode m : json(asked.get("/v1/status")).path("members")) {
            String at = m.path("certificateExpires").asText("");
            if (!at.isEmpty()) out.put(m.path("id").asText(), Instant.parse(at));
        }
        return out;
    }
}
