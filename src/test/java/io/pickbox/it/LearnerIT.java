package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.AdminHttp.postJson;
import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node invited as a learner ({@code cluster invite --learner}) receives every change and makes
 * its own, but does not vote, and cannot change the cluster: its certificate says what it is.
 */
class LearnerIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aLearnerFollowsEveryChangeAndChangesNothingAboutTheCluster() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        TestNode n1 = cluster.node(0);
        TestCluster.write(n1.file("before/a.txt"), "made before the learner came");
        awaitContent(cluster.nodes(), "before/a.txt", "made before the learner came", T);

        var answer = postJson(n1.adminAddress(), "/v1/cluster/invites", "{\"expiresSeconds\": 600, \"learner\": true}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer).path("role").asText()).isEqualTo("learner");
        TestNode learner = cluster.newNode();
        learner.join = n1.raftAddress();
        learner.invite = json(answer).path("token").asText();
        cluster.register(learner);
        learner.start();

        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            JsonNode me = member(n1, learner.id());
            assertThat(me.path("role").asText()).isEqualTo("learner");
            assertThat(me.path("voting").asBoolean()).isFalse();
        });
        awaitContent(cluster.nodes(), "before/a.txt", "made before the learner came", T);
        TestCluster.write(n1.file("after/b.txt"), "made after");
        awaitContent(cluster.nodes(), "after/b.txt", "made after", T);
        TestCluster.write(learner.file("from-learner.txt"), "a learner's own edit");
        awaitContent(cluster.nodes(), "from-learner.txt", "a learner's own edit", T);
        cluster.awaitConverged(T);

        // It holds no CA key: no invites from it; and membership is voters' business.
        assertThat(postJson(learner.adminAddress(), "/v1/cluster/invites", "{}").statusCode()).isEqualTo(409);
        var promote = postJson(learner.adminAddress(), "/v1/cluster/members",
                "{\"id\": \"" + learner.id() + "\", \"address\": \"" + learner.raftAddress() + "\"}");
        assertThat(promote.statusCode()).as(promote.body()).isNotEqualTo(200);
        assertThat(member(n1, learner.id()).path("voting").asBoolean()).isFalse();
        assertThat(json(n1.get("/v1/status")).path("members")).hasSize(4);
    }

    private static JsonNode member(TestNode asked, String id) throws Exception {
        for (JsonNode m : json(asked.get("/v1/status")).path("members")) {
            if (m.path("id").asText().equals(id)) return m;
        }
        throw new AssertionError(id + " is not a member");
    }
}
