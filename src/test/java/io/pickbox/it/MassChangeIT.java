package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code rm -rf} of 1,500 files on one node is flagged on the others (event stream, status,
 * metric) once, with the restore that undoes it; that restore, asked through the admin API, brings
 * every file back on every node.
 */
class MassChangeIT {

    private static final Duration T = Duration.ofSeconds(60);
    /** 1,500 files in three directories of mass/: their common directory is mass. */
    private static final ManyFiles TREE = new ManyFiles("mass", 3, 500);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void anRmRfOnOneNodeIsFlaggedEverywhereAndItsUndoBringsTheFilesBack() throws Exception {
        // The mass-delete guard (an unmounted folder seen by a scan) is not what is tested here: a
        // verify scan meeting the deletion half done must not hold it.
        try (TestCluster cluster = TestCluster.inJvm(base, 3, c -> c.allowMassDelete(true))) {
            // --history-days and --history-max-bytes on one node's start set them for the cluster.
            TestNode first = cluster.node(0);
            first.stop();
            TestNode n1 = cluster.reconfigure(first, c -> c.history(new NodeConfig.History(14, 10L << 30, 1_000, Duration.ofSeconds(60))));
            n1.start();
            TestNode n2 = cluster.node(1), n3 = cluster.node(2);
            for (TestNode n : cluster.nodes()) {
                await().atMost(T).untilAsserted(() -> {
                    assertThat(n.node().index().historyStatus().days()).as("days on " + n).isEqualTo(14);
                    assertThat(n.node().index().historyStatus().maxBytesSetting()).as("bytes on " + n).isEqualTo(10L << 30);
                });
            }

            TREE.write(n1.dir());
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            cluster.awaitConverged(T);
            assertThat(n2.status().path("massChanges")).isEmpty();
            // The restore goes back to one second before the deletion began: the files' commits must be older than that.
            long written = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(100))
                    .until(() -> System.currentTimeMillis() > written + 1_500);

            JsonNode event;
            try (EventsMetricsIT.Stream events = new EventsMetricsIT.Stream(n2.adminAddress(), "")) {
                assertThat(events.status).isEqualTo(200);
                ManyFiles.deleteTree(n1.file("mass"));
                event = awaitEvent(events, "mass-change");
            }
            assertThat(event.path("type").asText()).isEqualTo("mass-change");
            assertThat(event.path("node").asText()).isEqualTo(n1.id());
            assertThat(event.path("deleted").asLong()).isGreaterThan(1_000);
            assertThat(event.path("rewritten").asLong()).isZero();
            assertThat(event.path("prefix").asText()).isEqualTo("mass");
            String at = event.path("at").asText();
            assertThat(Instant.parse(at)).isBefore(Instant.parse(event.path("since").asText()));
            assertThat(event.path("undo").asText()).isEqualTo("pickbox restore mass --at \"" + at + "\"");

            ItSupport.awaitGone(cluster.nodes(), "mass", T);
            cluster.awaitConverged(T);
            // Every node flagged it, once, and counts the whole burst.
            for (TestNode n : cluster.nodes()) {
                await().atMost(T).untilAsserted(() -> {
                    JsonNode changes = n.status().path("massChanges");
                    assertThat(changes).as("mass changes on " + n).hasSize(1);
                    assertThat(changes.get(0).path("deleted").asLong()).isEqualTo(TREE.files());
                    assertThat(changes.get(0).path("node").asText()).isEqualTo(n1.id());
                    assertThat(changes.get(0).path("undo").asText()).isEqualTo(event.path("undo").asText());
                });
                String metrics = get(n.adminAddress(), "/metrics").body();
                assertThat(metric(metrics, "pickbox_mass_changes_total", "node=\"" + n1.id() + "\"")).as("on " + n).isEqualTo(1);
            }

            // The undo, asked on another node.
            HttpResponse<String> restore = AdminHttp.postJson(n3.adminAddress(), "/v1/restore",
                    AdminHttp.JSON.writeValueAsString(Map.of("path", event.path("path").asText(), "at", at)));
            assertThat(restore.statusCode()).as(restore.body()).isEqualTo(200);
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            cluster.awaitConverged(T);
            // A restore is no mass change.
            assertThat(n2.status().path("massChanges")).hasSize(1);
        }
    }

    private static JsonNode awaitEvent(EventsMetricsIT.Stream stream, String name) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            EventsMetricsIT.Stream.Event e = stream.events.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && name.equals(e.name())) return e.data();
        }
        throw new AssertionError("no " + name + " event within " + T);
    }
}
