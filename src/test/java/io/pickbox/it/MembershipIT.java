package io.pickbox.it;

import io.pickbox.folder.AtomicFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.pickbox.it.ItSupport.assertNoConflicts;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.memberCount;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nodes joining (after log purge, two at once) and a wiped member that must not rejoin. In-JVM nodes. */
class MembershipIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    /** The Ratis storage directories of a node ({@code .pickbox/raft/<group-uuid>/current}). */
    private static List<Path> raftCurrentDirs(TestNode n) throws IOException {
        Path raft = n.dir().resolve(".pickbox/raft");
        if (!Files.isDirectory(raft)) return List.of();
        try (Stream<Path> s = Files.list(raft)) {
            return s.map(p -> p.resolve("current")).filter(Files::isDirectory).toList();
        }
    }

    private static List<String> logFiles(TestNode n) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path cur : raftCurrentDirs(n)) {
            try (Stream<Path> s = Files.list(cur)) {
                s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("log_")).forEach(out::add);
            }
        }
        return out;
    }

    /** The first log segment (log_0-N, or still in progress as log_inprogress_0) is gone. */
    private static boolean firstSegmentPurged(TestNode n) throws IOException {
        List<String> logs = logFiles(n);
        return !logs.isEmpty() && logs.stream().noneMatch(f -> f.startsWith("log_0-") || f.equals("log_inprogress_0"));
    }

    @Test
    void newNodeJoinsAfterSnapshotAndLogPurge() throws Exception {
        cluster = TestCluster.inJvm(base, 3, c -> c.snapshotEvery(20).segmentBytes(65536));
        List<TestNode> three = List.copyOf(cluster.nodes());
        for (int i = 0; i < 150; i++) {
            TestNode n = three.get(i % 3);
            TestCluster.write(n.file("old/d" + (i % 7) + "/small-" + i + ".txt"), "small file number " + i);
        }
        byte[] big = randomBytes(3 * 1024 * 1024, 3);
        ItSupport.write(three.get(1).file("old/big-3MiB.bin"), big);
        awaitContent(three, "old/big-3MiB.bin", big, T);
        awaitContent(three, "old/d2/small-149.txt", "small file number 149", T);
        cluster.awaitConverged(T);

        // Keep writing small files until every node took a snapshot and purged its first log segment.
        int[] round = {0};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            boolean purged = true;
            for (TestNode n : three) purged &= firstSegmentPurged(n);
            if (purged) return true;
            int r = round[0]++;
            for (int i = 0; i < 20; i++) {
                TestCluster.write(three.get(0).file("filler/r" + r + "/a-rather-long-file-name-to-fill-the-raft-log-" + i + ".txt"),
                        "filler " + r + "/" + i);
            }
            return false;
        });
        cluster.awaitConverged(T);
        for (TestNode n : three) {
            assertThat(logFiles(n)).as("Raft log of " + n).noneMatch(f -> f.startsWith("log_0-"));
        }
        int files = three.get(0).status().path("files").asInt();
        assertThat(files).isGreaterThan(150);

        TestNode fourth = cluster.addNode();
        System.err.println(java.time.LocalTime.now() + " TEST: node4 started, " + files + " files committed");
        awaitContent(List.of(fourth), "old/big-3MiB.bin", big, T);
        System.err.println(java.time.LocalTime.now() + " TEST: node4 has the big file");
        java.util.Map<String, byte[]> small = new java.util.HashMap<>();
        for (int i = 0; i < 150; i++) small.put("old/d" + (i % 7) + "/small-" + i + ".txt", ("small file number " + i).getBytes());
        ItSupport.awaitContents(List.of(fourth), small, T);
        System.err.println(java.time.LocalTime.now() + " TEST: node4 has the small files");
        cluster.awaitConverged(T);
        System.err.println(java.time.LocalTime.now() + " TEST: converged");
        assertThat(logFiles(fourth)).as("the newcomer's log starts after a snapshot, not at index 0")
                .isNotEmpty().noneMatch(f -> f.startsWith("log_0-") || f.equals("log_inprogress_0"));
        assertThat(fourth.status().path("files").asInt()).isEqualTo(three.get(0).status().path("files").asInt());
        // The small files came in batches, not a request each.
        await().atMost(T).untilAsserted(() -> {
            var catchUp = fourth.status().path("catchUp");
            assertThat(catchUp.path("files").asLong()).as("small files fetched in batches: " + catchUp).isGreaterThanOrEqualTo(150);
            assertThat(catchUp.path("filesDone").asLong()).as("" + catchUp).isEqualTo(catchUp.path("files").asLong());
        });
        for (TestNode n : cluster.nodes()) assertThat(memberCount(n)).as("members seen by " + n).isEqualTo(4);
        assertNoConflicts(cluster.nodes());

        // The newcomer is a full member: its writes replicate.
        TestCluster.write(fourth.file("new/from-fourth.txt"), "hello");
        awaitContent(cluster.nodes(), "new/from-fourth.txt", "hello", T);
        cluster.awaitConverged(T);
    }

    @Test
    void twoNodesJoiningAtTheSameMomentBothGetIn() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        for (int i = 0; i < 10; i++) TestCluster.write(cluster.node(i % 3).file("pre/f" + i + ".txt"), "pre " + i);
        awaitContent(cluster.nodes(), "pre/f9.txt", "pre 9", T);
        cluster.awaitConverged(T);

        TestNode a = cluster.newNode();
        a.join = cluster.node(0).raftAddress();
        cluster.register(a);
        TestNode b = cluster.newNode();
        b.join = cluster.node(0).raftAddress();
        cluster.register(b);
        assertThat(a.id()).isNotEqualTo(b.id());

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestNode>> started = new ArrayList<>();
            for (TestNode n : List.of(a, b)) {
                started.add(pool.submit(() -> {
                    go.await();
                    return n.start();
                }));
            }
            go.countDown();
            for (Future<TestNode> f : started) f.get(90, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(memberCount(n)).as("members seen by " + n).isEqualTo(5);
        });
        java.util.Map<String, byte[]> pre = new java.util.HashMap<>();
        for (int i = 0; i < 10; i++) pre.put("pre/f" + i + ".txt", ("pre " + i).getBytes());
        ItSupport.awaitContents(List.of(a, b), pre, T);
        TestCluster.write(a.file("post/from-a.txt"), "a");
        TestCluster.write(b.file("post/from-b.txt"), "b");
        awaitContent(cluster.nodes(), "post/from-a.txt", "a", T);
        awaitContent(cluster.nodes(), "post/from-b.txt", "b", T);
        cluster.awaitConverged(T);
        assertNoConflicts(cluster.nodes());
    }

    @Test
    void wipedNodeWhoseIdIsStillAMemberRefusesToStart() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        TestCluster.write(cluster.node(0).file("keep/me.txt"), "precious");
        awaitContent(cluster.nodes(), "keep/me.txt", "precious", T);
        cluster.awaitConverged(T);

        TestNode third = cluster.node(2);
        assertThat(third.join).isEqualTo(cluster.node(0).raftAddress());
        third.stop();
        AtomicFiles.deleteRecursively(third.dir());
        assertThat(third.dir()).doesNotExist();

        // The same command, as a real process: it must refuse, exit non-zero and say why.
        Path log = base.resolve("node3-refused.log");
        int code = ItSupport.runToExit(third, log, Duration.ofSeconds(60));
        String out = Files.readString(log);
        assertThat(code).as("exit code; output:\n" + out).isEqualTo(1);
        assertThat(out).contains("still a member").contains(third.id());

        // In the JVM too: start() fails with the same reason.
        Throwable failure = null;
        try {
            third.start();
        } catch (Throwable t) {
            failure = t;
        }
        assertThat(failure).as("in-JVM start of a wiped member").isNotNull();
        assertThat(failure).hasMessageContaining("still a member");
        assertThat(third.running()).isFalse();

        // The cluster is untouched: node3 is still listed, the two others keep replicating and nothing was deleted.
        List<TestNode> live = cluster.running();
        assertThat(live).hasSize(2);
        for (TestNode n : live) assertThat(memberCount(n)).isEqualTo(3);
        TestCluster.write(live.get(1).file("keep/after.txt"), "still replicating");
        awaitContent(live, "keep/after.txt", "still replicating", T);
        awaitContent(live, "keep/me.txt", "precious", T);
        cluster.awaitConverged(T);
    }

    /**
     * A joining node whose peer or admin port another process holds is refused before it joins: it
     * is not made a member (a dead voter would stall a one-node cluster's writes) and its invite is
     * not spent, so the same command works once the port is free.
     */
    @Test
    void aJoiningNodeWhosePortIsTakenIsRefusedBeforeItJoins() throws Exception {
        cluster = TestCluster.inJvm(base, 1);
        TestNode first = cluster.node(0);
        TestNode second = cluster.newNode();
        second.join = first.raftAddress();
        cluster.register(second);
        for (int port : new int[] {second.peerPort, second.adminPort}) {
            try (ServerSocket taken = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                Throwable failure = null;
                try {
                    second.start();
                } catch (Throwable t) {
                    failure = t;
                }
                assertThat(failure).as("start with port " + port + " taken").isNotNull().hasMessageContaining(String.valueOf(port))
                        .hasMessageContaining("in use");
            }
            assertThat(second.running()).isFalse();
            assertThat(memberCount(first)).as("members after the refused start").isEqualTo(1);
            assertThat(second.dir().resolve(".pickbox")).as("state of the refused node").doesNotExist();
        }
        TestCluster.write(first.file("ports/after-refusal.txt"), "committed by the one member");
        second.start();
        assertThat(memberCount(first)).isEqualTo(2);
        awaitContent(cluster.nodes(), "ports/after-refusal.txt", "committed by the one member", T);
    }

    /** {@code --host 0.0.0.0 --advertise NAME}: bound to every address, reached (and certified) by its advertised name. */
    @Test
    void aNodeBoundToEveryAddressJoinsByItsAdvertisedName() throws Exception {
        cluster = TestCluster.inJvm(base, 1);
        TestNode draft = cluster.newNode();
        TestNode wide = new TestNode(draft.id(), draft.port, draft.adminPort, draft.peerPort, draft.dir(), draft.log, null,
                b -> b.host("0.0.0.0").advertise(List.of("127.0.0.1")), cluster::invite);
        wide.join = cluster.node(0).raftAddress();
        cluster.register(wide);
        wide.start();
        TestCluster.write(wide.file("wide/a.txt"), "from a node bound to every address");
        awaitContent(cluster.nodes(), "wide/a.txt", "from a node bound to every address", T);
        byte[] large = ItSupport.randomBytes(2 << 20, 8);
        ItSupport.write(cluster.node(0).file("wide/large.bin"), large);
        awaitContent(cluster.nodes(), "wide/large.bin", large, T);
        boolean found = false;
        for (var m : AdminHttp.json(cluster.node(0).get("/v1/status")).path("members")) {
            if (m.path("id").asText().equals(wide.id())) {
                assertThat(m.path("address").asText()).isEqualTo("127.0.0.1:" + wide.port);
                found = true;
            }
        }
        assertThat(found).isTrue();
    }
}
