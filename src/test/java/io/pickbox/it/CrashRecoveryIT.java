package io.pickbox.it;

import io.pickbox.folder.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.ItSupport.assertNoConflicts;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static io.pickbox.it.ItSupport.awaitLeader;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of real node processes: a crashed follower and a crashed leader come back and catch up.
 * One 3-process cluster for the class; every test leaves it converged with all nodes running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static TestCluster cluster;

    /** The nodes' temp directory, to see what they leave in it. */
    static Path nodesTemp;

    @BeforeAll
    static void start() throws Exception {
        nodesTemp = Files.createDirectories(base.resolve("nodes-tmp"));
        cluster = TestCluster.processes(base, 3, "-Djava.io.tmpdir=" + nodesTemp);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void killedFollowerCatchesUpOnRestart() throws Exception {
        TestNode leader = awaitLeader(cluster.running(), T);
        List<TestNode> followers = cluster.nodes().stream().filter(n -> n != leader).toList();
        TestNode victim = followers.get(0);
        TestNode other = followers.get(1);

        // State the victim knows before it crashes.
        TestCluster.write(leader.file("crash1/modify-me.txt"), "before the crash");
        TestCluster.write(other.file("crash1/delete-me.txt"), "doomed");
        TestCluster.write(other.file("crash1/old-dir/a.txt"), "a");
        TestCluster.write(other.file("crash1/old-dir/b.txt"), "b");
        TestCluster.write(leader.file("crash1/keep.txt"), "unchanged");
        awaitContent(cluster.nodes(), "crash1/old-dir/b.txt", "b", T);
        cluster.awaitConverged(T);

        String metricsBefore = get(leader.adminAddress(), "/metrics").body();
        victim.kill();
        assertThat(victim.running()).isFalse();
        List<TestNode> live = List.of(leader, other);

        // Changes while it is down, on both surviving nodes.
        byte[] big = randomBytes(2 * 1024 * 1024 + 123_457, 42);
        ItSupport.write(leader.file("crash1/big.bin"), big);
        Files.writeString(leader.file("crash1/modify-me.txt"), "modified while a follower was down");
        Files.delete(other.file("crash1/delete-me.txt"));
        for (int i = 0; i < 6; i++) TestCluster.write(other.file("crash1/new-dir/f" + i + ".txt"), "new file " + i);
        AtomicFiles.deleteRecursively(leader.file("crash1/old-dir"));
        java.util.Map<String, byte[]> small = new java.util.TreeMap<>();
        for (int i = 0; i < 20; i++) small.put("crash1/small/s" + i + ".bin", randomBytes(1024, 100 + i));
        for (var f : small.entrySet()) ItSupport.write(leader.file(f.getKey()), f.getValue());

        awaitContent(live, "crash1/big.bin", big, T);
        // A member is down, so no chunk could be pushed to every peer: they went through the Raft log.
        String metricsAfter = get(leader.adminAddress(), "/metrics").body();
        assertThat(metric(metricsAfter, "pickbox_chunk_committed_bytes_total", ""))
                .isGreaterThanOrEqualTo(metric(metricsBefore, "pickbox_chunk_committed_bytes_total", "") + big.length);
        assertThat(metric(metricsAfter, "pickbox_chunk_commit_latency_seconds_count", ""))
                .isGreaterThan(metric(metricsBefore, "pickbox_chunk_commit_latency_seconds_count", ""));
        assertThat(metric(metricsAfter, "pickbox_chunk_pushed_bytes_total", ""))
                .isEqualTo(metric(metricsBefore, "pickbox_chunk_pushed_bytes_total", ""));
        awaitContent(live, "crash1/modify-me.txt", "modified while a follower was down", T);
        awaitContent(live, "crash1/new-dir/f5.txt", "new file 5", T);
        awaitGone(live, "crash1/delete-me.txt", T);
        awaitGone(live, "crash1/old-dir", T);
        ItSupport.awaitContents(live, small, T);
        cluster.awaitConverged(T);

        // Same command again.
        victim.start();
        List<TestNode> all = cluster.nodes();
        ItSupport.awaitContents(all, small, T);
        awaitContent(all, "crash1/big.bin", big, T);
        awaitContent(all, "crash1/modify-me.txt", "modified while a follower was down", T);
        for (int i = 0; i < 6; i++) awaitContent(all, "crash1/new-dir/f" + i + ".txt", "new file " + i, T);
        awaitContent(all, "crash1/keep.txt", "unchanged", T);
        awaitGone(all, "crash1/delete-me.txt", T);
        awaitGone(all, "crash1/old-dir", T);
        cluster.awaitConverged(T);
        assertNoConflicts(all);

        // And it takes part again: a change made on the restarted node reaches the others.
        TestCluster.write(victim.file("crash1/after-restart.txt"), "hello from " + victim);
        awaitContent(all, "crash1/after-restart.txt", "hello from " + victim, T);
        cluster.awaitConverged(T);
    }

    @Test
    @Order(2)
    void killedLeaderIsReplacedAndCatchesUp() throws Exception {
        TestNode oldLeader = awaitLeader(cluster.running(), T);
        TestCluster.write(oldLeader.file("crash2/shared.txt"), "v1");
        awaitContent(cluster.nodes(), "crash2/shared.txt", "v1", T);
        cluster.awaitConverged(T);

        oldLeader.kill();
        List<TestNode> survivors = cluster.running();
        assertThat(survivors).hasSize(2).doesNotContain(oldLeader);

        TestNode newLeader = awaitLeader(survivors, T);
        assertThat(newLeader).isNotSameAs(oldLeader);
        TestNode follower = survivors.get(0) == newLeader ? survivors.get(1) : survivors.get(0);

        // Changes on BOTH survivors keep replicating.
        TestCluster.write(newLeader.file("crash2/from-new-leader.txt"), "written on the new leader");
        TestCluster.write(follower.file("crash2/from-follower.txt"), "written on the follower");
        Files.writeString(follower.file("crash2/shared.txt"), "v2 from the follower");
        byte[] blob = randomBytes(700_000, 7);
        ItSupport.write(newLeader.file("crash2/bin/blob.bin"), blob);
        awaitContent(survivors, "crash2/from-new-leader.txt", "written on the new leader", T);
        awaitContent(survivors, "crash2/from-follower.txt", "written on the follower", T);
        awaitContent(survivors, "crash2/shared.txt", "v2 from the follower", T);
        awaitContent(survivors, "crash2/bin/blob.bin", blob, T);
        Files.writeString(newLeader.file("crash2/shared.txt"), "v3 from the new leader");
        awaitContent(survivors, "crash2/shared.txt", "v3 from the new leader", T);
        cluster.awaitConverged(T);

        oldLeader.start();
        List<TestNode> all = cluster.nodes();
        awaitContent(all, "crash2/from-new-leader.txt", "written on the new leader", T);
        awaitContent(all, "crash2/from-follower.txt", "written on the follower", T);
        awaitContent(all, "crash2/shared.txt", "v3 from the new leader", T);
        awaitContent(all, "crash2/bin/blob.bin", blob, T);
        cluster.awaitConverged(T);
        assertNoConflicts(all);
        assertThat(oldLeader.status().path("members").size()).isEqualTo(3);
    }
    @Test
    @Order(3)
    void editsMadeOnACrashedNodeWhileItWasDownAreKeptOnRestart() throws Exception {
        TestNode leader = awaitLeader(cluster.running(), T);
        TestNode victim = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        for (String f : List.of("a", "b", "c")) TestCluster.write(leader.file("offline/" + f + ".txt"), f + "1");
        awaitContent(cluster.nodes(), "offline/c.txt", "c1", T);
        cluster.awaitConverged(T);

        victim.kill();
        List<TestNode> live = cluster.running();
        // Edits in the crashed node's folder while it is down ...
        Files.writeString(victim.file("offline/a.txt"), "a edited offline");
        TestCluster.write(victim.file("offline/new-offline.txt"), "created offline");
        Files.delete(victim.file("offline/c.txt"));
        // ... and in the cluster meanwhile (a.txt on both sides: a conflict).
        Files.writeString(leader.file("offline/a.txt"), "a edited in the cluster");
        Files.writeString(leader.file("offline/b.txt"), "b edited in the cluster");
        awaitContent(live, "offline/a.txt", "a edited in the cluster", T);
        awaitContent(live, "offline/b.txt", "b edited in the cluster", T);
        cluster.awaitConverged(T);

        victim.start();
        List<TestNode> all = cluster.nodes();
        awaitContent(all, "offline/a.txt", "a edited in the cluster", T);
        awaitContent(all, "offline/b.txt", "b edited in the cluster", T);
        awaitContent(all, "offline/new-offline.txt", "created offline", T);
        awaitGone(all, "offline/c.txt", T);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : all) {
                List<String> copies = ItSupport.conflictCopies(n.dir());
                assertThat(copies).as("conflict copies on " + n).hasSize(1);
                assertThat(copies.get(0)).matches("offline/a\\.conflict-" + victim.id() + "-\\d+(-\\d+)?\\.txt");
                assertThat(Files.readString(n.file(copies.get(0)))).isEqualTo("a edited offline");
            }
        });
        cluster.awaitConverged(T);
        // Clean up so that the next test starts without conflict copies.
        for (String copy : ItSupport.conflictCopies(victim.dir())) Files.delete(victim.file(copy));
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : all) assertThat(ItSupport.conflictCopies(n.dir())).isEmpty();
        });
        cluster.awaitConverged(T);
    }

    @Test
    @Order(4)
    void followerKilledWhileMaterializingLeavesNoPartialFile() throws Exception {
        TestNode leader = awaitLeader(cluster.running(), T);
        TestNode victim = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        List<byte[]> bigs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) bigs.add(randomBytes(8 * 1024 * 1024 + i, 100 + i));
        // Write big files one after the other on the leader; kill the follower as soon as a temp file shows up in its folder.
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < bigs.size(); i++) ItSupport.write(leader.file("mid/big" + i + ".bin"), bigs.get(i));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        boolean caught;
        try {
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                    .ignoreExceptions().until(() -> !tempFiles(victim).isEmpty());
            victim.kill();
            caught = true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            victim.kill(); // never saw it mid-write: the test still checks recovery
            caught = false;
        }
        writer.join();
        List<String> leftAfterKill = tempFiles(victim);
        System.err.println("TEST: killed " + victim + " mid-materialization=" + caught + "; temp files in its folder: " + leftAfterKill
                + " (" + base + ")");

        List<TestNode> live = cluster.running();
        for (int i = 0; i < bigs.size(); i++) awaitContent(live, "mid/big" + i + ".bin", bigs.get(i), Duration.ofSeconds(60));
        victim.start();
        for (int i = 0; i < bigs.size(); i++) awaitContent(cluster.nodes(), "mid/big" + i + ".bin", bigs.get(i), Duration.ofSeconds(60));
        cluster.awaitConverged(T);
        assertNoConflicts(cluster.nodes());
        // No partial temp file of the interrupted write may stay in the folder ...
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(tempFiles(n)).as("partial temp files left in the folder of " + n).isEmpty();
        });
        // ... and the directory that held it, deleted elsewhere, goes everywhere and stays gone.
        io.pickbox.folder.AtomicFiles.deleteRecursively(leader.file("mid"));
        awaitGone(cluster.nodes(), "mid", T);
        cluster.awaitConverged(T);
        for (TestNode n : cluster.nodes()) assertThat(n.file("mid")).as("mid on " + n).doesNotExist();
    }

    @Test
    @Order(5)
    void followerKilledWhileApplyingABurstRestartsWithTheSameIndex() throws Exception {
        TestNode leader = awaitLeader(cluster.running(), T);
        TestNode victim = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        int files = 1500;
        long appliedBefore = victim.status().path("appliedIndex").asLong();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < files; i++) TestCluster.write(leader.file("burst/d" + (i % 30) + "/f" + i + ".txt"), "burst file " + i);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        // killed while its state machine is applying the burst's entries
        await().atMost(T).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                .until(() -> victim.status().path("appliedIndex").asLong() > appliedBefore + 20);
        victim.kill();
        writer.join();
        List<TestNode> live = cluster.running();
        awaitContent(live, "burst/d" + ((files - 1) % 30) + "/f" + (files - 1) + ".txt", "burst file " + (files - 1), T);
        cluster.awaitConverged(T);

        victim.start();
        cluster.awaitConverged(Duration.ofSeconds(60));
        // the same index everywhere: every entry of every page, and the counts
        List<String> reference = null;
        for (TestNode n : cluster.nodes()) {
            List<String> listing = listing(n);
            assertThat(listing).as("entries under burst on " + n).hasSize(files + 1 + 30);
            if (reference == null) reference = listing;
            else assertThat(listing).as("the index of " + n).isEqualTo(reference);
        }
        var statuses = new java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode>();
        for (TestNode n : cluster.nodes()) statuses.add(n.status());
        for (var st : statuses) {
            assertThat(st.path("files").asLong()).isEqualTo(statuses.get(0).path("files").asLong());
            assertThat(st.path("bytes").asLong()).isEqualTo(statuses.get(0).path("bytes").asLong());
        }
    }

    @Test
    @Order(6)
    void killedNodesLeaveNoCopyOfTheirNativeLibraryBehind() throws Exception {
        // The tests above killed nodes with SIGKILL; RocksDB's own loader left a 15 MB copy of its
        // library in the temp directory at each start, deleted only at a normal exit.
        try (var left = Files.list(nodesTemp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(name -> name.contains("rocksdb")).toList())
                    .as("RocksDB libraries in the nodes' temp directory").isEmpty();
        }
        for (TestNode n : cluster.nodes()) {
            try (var lib = Files.list(n.config().stateDir().resolve("lib"))) {
                assertThat(lib.map(p -> p.getFileName().toString()).toList()).as("the library kept by " + n).hasSize(1)
                        .allMatch(name -> name.endsWith(".so"));
            }
        }
    }

    /** Every entry under burst/, as /v1/files pages give them. */
    private static List<String> listing(TestNode n) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        String after = null;
        do {
            String query = "/v1/files?prefix=burst&limit=500" + (after == null ? ""
                    : "&after=" + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8));
            var page = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(n.adminAddress(), query).body());
            for (var e : page.path("entries")) out.add(e.toString());
            after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
        } while (after != null);
        return out;
    }

    private static List<String> tempFiles(TestNode n) throws java.io.IOException {
        List<String> out = new java.util.ArrayList<>();
        try (var s = Files.walk(n.dir())) {
            s.filter(p -> !n.dir().relativize(p).toString().startsWith(".pickbox/"))
                    .filter(p -> p.getFileName().toString().startsWith(io.pickbox.folder.PathValidator.TEMP_PREFIX))
                    .forEach(p -> out.add(n.dir().relativize(p).toString()));
        } catch (java.io.UncheckedIOException e) {
            // a file vanished while walking: report what was seen
        }
        return out;
    }
}
