package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invariant 4 (no echo): an idle cluster whose verify scan runs every 2 s proposes nothing, neither after a
 * burst of writes nor after a node restart.
 */
class IdleIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3, c -> c.verifyInterval(Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    /** appliedOps stays at the given values on every node during {@code window}. */
    private static void assertIdleFor(Duration window) throws Exception {
        Map<TestNode, Long> before = cluster.appliedOps();
        System.err.println("TEST: idle window of " + window + " starts with appliedOps " + before);
        await().atMost(window.plusSeconds(10)).during(window).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) {
                        assertThat(n.appliedOps()).as("appliedOps on " + n + " (idle cluster)").isEqualTo(before.get(n));
                    }
                });
    }

    /** Converged and the Raft log fully applied on every node. */
    private static void awaitSettled() {
        cluster.awaitConverged(T);
        await().atMost(T).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) {
                var s = n.status();
                assertThat(s.path("appliedIndex").asLong()).as("applied index of " + n).isGreaterThanOrEqualTo(s.path("commitIndex").asLong());
                assertThat(s.path("blocked").size()).as("blocked paths on " + n).isZero();
                assertThat(s.path("problems").size()).as("problems on " + n).isZero();
            }
        });
    }

    @Test
    void idleClusterAppliesNothingBeforeAndAfterARestart() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 25; i++) {
            String rel = "idle/d" + (i % 4) + "/sub" + (i % 3) + "/f" + i + ".txt";
            files.put(rel, ("file " + i + "\n").repeat(i + 1).getBytes());
        }
        files.put("idle/empty.txt", new byte[0]);
        files.put("idle/deep/a/b/c/d/leaf.md", "# leaf\n".getBytes());
        files.put("idle/big/three-mib.bin", ItSupport.randomBytes(3 * 1024 * 1024, 99));
        files.put("idle/run.sh", "#!/bin/sh\necho idle\n".getBytes());
        // spread the writes over the three nodes
        int i = 0;
        Path script = null;
        for (var f : files.entrySet()) {
            Path target = cluster.node(i++ % 3).file(f.getKey());
            ItSupport.write(target, f.getValue());
            if (f.getKey().equals("idle/run.sh")) script = target;
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(cluster.node(0).file("idle/empty-dir/inner"));

        ItSupport.awaitContents(cluster.nodes(), files, T);
        await().atMost(T).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) {
                assertThat(Files.isExecutable(n.file("idle/run.sh"))).as("exec bit on " + n).isTrue();
                assertThat(n.file("idle/empty-dir/inner")).as("empty dir on " + n).isDirectory();
            }
        });
        awaitSettled();
        ItSupport.assertNoConflicts(cluster.nodes());

        long t0 = System.nanoTime();
        assertIdleFor(Duration.ofSeconds(12));
        System.err.println("TEST: first idle window took " + Duration.ofNanos(System.nanoTime() - t0));

        // Restart one node (same config) and check again.
        TestNode restarted = cluster.node(1);
        restarted.stop();
        restarted.start();
        awaitSettled();
        ItSupport.awaitContents(cluster.nodes(), files, T);
        ItSupport.assertNoConflicts(cluster.nodes());
        assertIdleFor(Duration.ofSeconds(8));

        for (TestNode n : cluster.nodes()) {
            assertThat(ItSupport.listing(n.dir())).as("listing of " + n).isEqualTo(ItSupport.listing(cluster.node(0).dir()));
            assertThat(ItSupport.conflictCopies(n.dir())).isEmpty();
        }
        assertThat(List.copyOf(cluster.running())).hasSize(3);
    }
}
