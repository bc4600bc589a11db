package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.ItSupport.awaitContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose folder is on a small file system (a 50 MB tmpfs; its state lives elsewhere): a
 * committed file larger than the free space waits, shown in the status, in {@code why} and in the
 * metrics, while smaller files keep arriving and the node keeps applying the log; once the file
 * system has room the file arrives, with no restart.
 */
class DiskFullIT {

    private static final Duration T = Duration.ofSeconds(120);
    private static final int LARGE = 60 << 20;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aFileLargerThanTheFreeSpaceWaitsAloneAndArrivesOnceThereIsRoom() throws Exception {
        Path folder2 = Files.createDirectories(base.resolve("node2"));
        assumeThat(Mount.tmpfs(folder2, "50m")).as("mounting a tmpfs works here (root, and mount allowed)").isTrue();
        TestCluster cluster = null;
        try {
            cluster = TestCluster.inJvm(base, 1);
            TestNode n1 = cluster.node(0);
            TestNode n2 = cluster.newNode();
            n2.join = n1.raftAddress();
            cluster.register(n2);
            n2 = cluster.reconfigure(n2, b -> b.stateDir(base.resolve("node2-state")));
            n2.start();
            TestNode n3 = cluster.addNode();

            byte[] large = ItSupport.randomBytes(LARGE, 60);
            Map<String, byte[]> small = new TreeMap<>();
            for (int i = 0; i < 10; i++) small.put("small/s" + i + ".txt", ("small file " + i).getBytes());
            ItSupport.write(n1.file("big.bin"), large);
            for (var f : small.entrySet()) ItSupport.write(n1.file(f.getKey()), f.getValue());

            awaitContents(List.of(n2, n3), small, T);
            awaitContents(List.of(n3), Map.of("big.bin", large), T);

            TestNode full = n2;
            await().atMost(T).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
                JsonNode s = full.status();
                assertThat(s.path("problems").path("big.bin").asText()).startsWith("waiting for disk space: needs ");
                assertThat(s.path("waitingForSpace").path("paths").asInt()).isEqualTo(1);
                assertThat(s.path("waitingForSpace").path("bytes").asLong()).isEqualTo(LARGE);
            });
            String scrape = AdminHttp.get(n2.adminAddress(), "/metrics").body();
            assertThat(metric(scrape, "pickbox_paths_waiting_for_space", "")).isEqualTo(1.0);
            assertThat(metric(scrape, "pickbox_waiting_for_space_bytes", "")).isEqualTo(LARGE);
            ClusterOpsIT.Run why = ClusterOpsIT.cli("why", "big.bin", "--admin", n2.adminAddress());
            assertThat(why.code()).as("not in sync: " + why.out() + why.err()).isEqualTo(1);
            assertThat(why.out()).contains("big.bin: pending", "why: waiting for disk space: needs ");
            assertThat(Files.exists(folder2.resolve("big.bin"))).isFalse();

            // The node keeps applying the log and stays a healthy member; later small files still arrive.
            long committed = n1.status().path("commitIndex").asLong();
            await().atMost(T).ignoreExceptions().until(() -> full.status().path("appliedIndex").asLong() >= committed);
            assertThat(n2.get("/v1/health").statusCode()).isEqualTo(200);
            ItSupport.write(n1.file("small/later.txt"), "after the large one".getBytes());
            awaitContents(List.of(n2, n3), Map.of("small/later.txt", "after the large one".getBytes()), T);
            assertThat(n2.status().path("waitingForSpace").path("paths").asInt()).as("still waiting").isEqualTo(1);

            assertThat(Mount.remount(folder2, "100m")).isTrue();
            awaitContents(List.of(n2), Map.of("big.bin", large), T);
            await().atMost(T).ignoreExceptions().untilAsserted(() -> {
                assertThat(full.status().path("waitingForSpace").path("paths").asInt()).isZero();
                assertThat(full.status().path("problems").has("big.bin")).isFalse();
            });
            cluster.awaitConverged(T);
        } finally {
            if (cluster != null) cluster.close();
            Mount.unmount(folder2);
        }
    }
}
