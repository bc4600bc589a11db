package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member removed with {@code cluster remove} (here while it runs, and after, when restarted) says
 * why it takes no part any more: its status names the removal and its health check fails, while
 * the others go on without it.
 */
class RemovedMemberIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aRemovedMemberSaysSoWhileItRunsAndWhenRestarted() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 3)) {
            TestNode first = cluster.node(0);
            TestNode second = cluster.node(1);
            TestNode removed = cluster.node(2);
            var answer = AdminHttp.call(first.adminAddress(), "DELETE", "/v1/cluster/members/" + removed.id(), null, null);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

            await().atMost(T).ignoreExceptions().untilAsserted(() -> {
                JsonNode status = removed.status();
                assertThat(status.path("raftFailure").asText()).contains("removed from its cluster");
                assertThat(status.path("healthy").asBoolean()).isFalse();
                var health = removed.get("/v1/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(AdminHttp.json(health).path("reason").asText()).contains("removed from its cluster");
            });
            ItSupport.write(first.file("after-the-removal.txt"), "only for members".getBytes(StandardCharsets.UTF_8));
            awaitContent(List.of(first, second), "after-the-removal.txt", "only for members", T);
            assertThat(first.get("/v1/health").statusCode()).isEqualTo(200);

            removed.stop();
            removed.launch();
            await().atMost(T).ignoreExceptions().untilAsserted(() -> {
                JsonNode status = removed.status();
                // From its log: the removal itself when the log still holds it, else what is left of it.
                assertThat(status.path("raftFailure").asText()).containsPattern("removed from its cluster|not a member of its cluster");
                assertThat(removed.get("/v1/health").statusCode()).isEqualTo(503);
            });
            assertThat(removed.file("after-the-removal.txt")).doesNotExist();
        }
    }
}
