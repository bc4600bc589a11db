package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of a node during its first start, at a moment its Raft group exists on disk and its log
 * does not yet say who the members are, or names members that leave it out. Started again with the
 * same command, it must go on as if it had never stopped (lead the cluster it founded; finish
 * joining), not wait for ever.
 */
class FirstStartCrashIT {

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

    @Test
    void aNodeKilledWhileJoiningJoinsWhenStartedAgain() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 1)) {
            TestNode first = cluster.node(0);
            TestNode joiner = killedBeforeTheClusterAddedIt(cluster, first);
            joiner.start();
            assertReplicatesBothWays(first, joiner);
        }
    }

    @Test
    void aNodeKilledWhileReceivingTheLeadersCheckpointJoinsWhenStartedAgain() throws Exception {
        // The leader keeps little log, so a joining node is sent a checkpoint. Ratis records the
        // cluster's members (without the joining node) once the first of its 1 MiB chunks is in,
        // and adds the node only after it installed the whole checkpoint and caught up.
        try (TestCluster cluster = TestCluster.processes(base, 1, c -> c.snapshotEvery(20).segmentBytes(65536))) {
            TestNode first = cluster.node(0);
            writeUntilCheckpointHolds(first, 3L << 20);
            TestNode joiner = cluster.newNode();
            joiner.join = first.raftAddress();
            cluster.register(joiner);
            joiner.launch();
            await().atMost(T).pollInterval(Duration.ofMillis(2)).until(() -> Files.exists(membersFile(joiner)));
            joiner.kill();
            assertThat(memberIds(first)).as("killed before the cluster added it").doesNotContain(joiner.id());

            // The leader gives up adding it once it has not answered for a while; only then can another
            // change be made, so this node's addition waits until then.
            TestNode other = cluster.addNode();
            assertThat(memberIds(first)).contains(other.id()).doesNotContain(joiner.id());

            joiner.start(); // until healthy: a member that knows its leader
            assertThat(memberIds(first)).contains(joiner.id());
            assertReplicatesBothWays(first, joiner);
        }
    }

    /**
     * Writes files with long names on {@code node} until its newest checkpoint takes {@code bytes}:
     * a batch first, then one file at a time, each a new entry, until a checkpoint is taken after them.
     */
    private static void writeUntilCheckpointHolds(TestNode node, long bytes) throws Exception {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 4_000; i++) writeLongName(node, random, i);
        int[] more = {4_000};
        await().atMost(T).pollInterval(Duration.ofMillis(50)).until(() -> {
            writeLongName(node, random, more[0]++);
            return newestCheckpointBytes(node) >= bytes;
        });
    }

    private static void writeLongName(TestNode node, java.util.Random random, int i) throws IOException {
        String name = new java.math.BigInteger(800, random).toString(16); // 200 characters
        ItSupport.write(node.file("long-names/d" + (i % 40) + "/" + name + ".txt"), ("file " + i).getBytes(StandardCharsets.UTF_8));
    }

    private static long newestCheckpointBytes(TestNode n) throws IOException {
        Map<Path, Long> byCheckpoint = new HashMap<>();
        ItSupport.filesWhileChanging(n.config().stateDir().resolve("raft")).forEach((f, size) -> {
            if (f.getParent().getFileName().toString().startsWith("checkpoint.")) byCheckpoint.merge(f.getParent(), size, Long::sum);
        });
        return byCheckpoint.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Where Ratis keeps the members it learnt from a checkpoint. */
    private static Path membersFile(TestNode n) throws IOException {
        Path raft = n.config().stateDir().resolve("raft");
        if (!Files.isDirectory(raft)) return raft.resolve("none");
        try (Stream<Path> dirs = Files.list(raft)) {
            return dirs.map(d -> d.resolve("current").resolve("raft-meta.conf")).filter(Files::exists).findFirst()
                    .orElse(raft.resolve("none"));
        }
    }

    private static List<String> memberIds(TestNode n) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (var m : n.status().path("members")) ids.add(m.path("id").asText());
        return ids;
    }

    /**
     * A node that began to join through {@code first} and was killed as soon as its group existed,
     * before the cluster added it (a round trip later); tried again with another node when the add
     * got through first (that one is started again: a majority now needs it).
     */
    private static TestNode killedBeforeTheClusterAddedIt(TestCluster cluster, TestNode first) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            TestNode n = cluster.newNode();
            n.join = first.raftAddress();
            cluster.register(n);
            n.launch();
            await().atMost(T).pollInterval(Duration.ofMillis(2)).until(() -> groupExists(n));
            n.kill();
            boolean added = false;
            for (var m : first.status().path("members")) added |= n.id().equals(m.path("id").asText());
            if (!added) return n;
            n.start();
        }
        throw new AssertionError("every node was added before it was killed");
    }

    private static void assertReplicatesBothWays(TestNode first, TestNode joiner) throws Exception {
        ItSupport.write(first.file("after-the-crash.txt"), "written after the crash".getBytes(StandardCharsets.UTF_8));
        awaitContent(List.of(first, joiner), "after-the-crash.txt", "written after the crash", T);
        ItSupport.write(joiner.file("from-the-joiner.txt"), "written on the joiner".getBytes(StandardCharsets.UTF_8));
        awaitContent(List.of(first, joiner), "from-the-joiner.txt", "written on the joiner", T);
    }

    private static boolean groupExists(TestNode n) throws IOException {
        Path raft = n.config().stateDir().resolve("raft");
        if (!Files.isDirectory(raft)) return false;
        try (Stream<Path> dirs = Files.list(raft)) {
            return dirs.anyMatch(d -> Files.isDirectory(d.resolve("current")));
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
