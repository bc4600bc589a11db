package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static io.pickbox.it.ItSupport.awaitContents;
import static io.pickbox.it.ItSupport.logLinesContaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower whose state directory (Raft log, blobs, local table) is on a small file system that
 * fills up: it steps aside and ends, saying why in one line, while the other two keep committing;
 * restarted, it waits for room, then starts by itself and catches up with nothing lost.
 */
class RaftDiskFullIT {

    private static final Duration T = Duration.ofSeconds(120);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aNodeWhoseLogDiskIsFullStepsAsideAndCatchesUpOnceThereIsRoom() throws Exception {
        Path state3 = Files.createDirectories(base.resolve("node3").resolve(".pickbox"));
        assumeThat(Mount.tmpfs(state3, "96m")).as("mounting a tmpfs works here (root, and mount allowed)").isTrue();
        TestCluster cluster = null;
        try {
            cluster = TestCluster.processes(base, 3);
            TestNode n1 = cluster.node(0), n2 = cluster.node(1), n3 = cluster.node(2);
            Map<String, byte[]> files = new TreeMap<>();
            files.put("before.txt", "written while every disk had room".getBytes());
            ItSupport.write(n1.file("before.txt"), files.get("before.txt"));
            awaitContents(cluster.nodes(), files, T);

            // Leave node3's state disk almost full.
            Path filler = state3.resolve("filler");
            Files.write(filler, new byte[(int) Math.max(0, state3.toFile().getUsableSpace() - 1_000_000)]);

            for (int i = 0; i < 40; i++) {
                String rel = "during/f" + i + ".bin";
                files.put(rel, ItSupport.randomBytes(60_000, i));
                ItSupport.write(n1.file(rel), files.get(rel));
            }
            await().atMost(T).until(() -> !n3.running());
            // The Raft log or the store beside it, whichever the full disk failed first.
            List<String> said = logLinesContaining(List.of(n3), "Stepping aside: ");
            assertThat(said).hasSize(1);
            assertThat(said.get(0)).contains("ERROR", "No space left on device", "free of");
            assertThat(logLinesContaining(List.of(n3), "exiting so that the node can be restarted")).hasSize(1);

            // The other two keep committing.
            List<TestNode> others = List.of(n1, n2);
            awaitContents(others, files, T);
            long before = n1.status().path("commitIndex").asLong();
            files.put("while-down.txt", "committed without node3".getBytes());
            ItSupport.write(n2.file("while-down.txt"), files.get("while-down.txt"));
            awaitContents(others, files, T);
            assertThat(n1.status().path("commitIndex").asLong()).isGreaterThan(before);

            // Restarted on a disk still full, it waits; once there is room it starts by itself.
            CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
                try {
                    n3.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long free = state3.toFile().getUsableSpace();
            await("a restart waiting with " + free + " bytes free").atMost(T).until(() -> !logLinesContaining(List.of(n3), "Waiting for room under").isEmpty());
            assertThat(restarted).isNotDone();
            Files.delete(filler);
            restarted.get(T.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

            awaitContents(cluster.nodes(), files, T);
            cluster.awaitConverged(T);
            await().atMost(T).ignoreExceptions().until(() -> n3.get("/v1/health").statusCode() == 200
                    && n3.status().path("appliedIndex").asLong() >= n1.status().path("commitIndex").asLong() - 2);
        } finally {
            if (cluster != null) cluster.close();
            Mount.unmount(state3);
        }
    }
}
