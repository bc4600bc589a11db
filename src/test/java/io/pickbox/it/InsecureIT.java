package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;

/** A plaintext cluster, on the operator's request: nodes join with --join alone and make no certificates. */
class InsecureIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void nodesJoinAndReplicateWithoutTls() throws Exception {
        NodeConfig.Security plaintext = new NodeConfig.Security(true, null, null, null, null, null);
        cluster = TestCluster.inJvm(base, 3, b -> b.security(plaintext));
        TestCluster.write(cluster.node(2).file("plain.txt"), "no TLS asked for");
        awaitContent(cluster.nodes(), "plain.txt", "no TLS asked for", T);
        byte[] large = ItSupport.randomBytes(3 << 20, 5);
        ItSupport.write(cluster.node(1).file("large.bin"), large);
        awaitContent(cluster.nodes(), "large.bin", large, T);
        cluster.awaitConverged(T);

        for (TestNode n : cluster.nodes()) {
            assertThat(n.config().stateDir().resolve("tls")).as("no certificates on " + n).doesNotExist();
            for (JsonNode m : json(n.get("/v1/status")).path("members")) assertThat(m.has("certificateExpires")).isFalse();
        }
        // Invites belong to TLS clusters.
        assertThat(AdminHttp.postJson(cluster.node(0).adminAddress(), "/v1/cluster/invites", "{}").statusCode()).isEqualTo(409);
    }
}
