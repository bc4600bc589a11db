package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.cli.Main;
import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operating a live cluster through the CLI (on top of the admin API): add a node that waits to be
 * added (with files of its own), transfer leadership, remove a member, status and why, while files
 * keep changing.
 */
class ClusterOpsIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;
    Node extra;

    @AfterEach
    void stop() {
        if (extra != null) extra.close();
        if (cluster != null) cluster.close();
    }

    record Run(int code, String out, String err) {}

    /** Runs the CLI in this JVM, capturing its output. */
    static synchronized Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(tee(err, e), true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Logs of in-JVM nodes also go to System.err: keep them visible while capturing the CLI's errors. */
    private static java.io.OutputStream tee(java.io.OutputStream a, java.io.OutputStream b) {
        return new java.io.OutputStream() {
            @Override
            public void write(int c) throws java.io.IOException {
                a.write(c);
                b.write(c);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws java.io.IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }
        };
    }

    private static String leaderOf(TestNode n) throws Exception {
        return n.status().path("leader").asText();
    }

    @Test
    void addTransferRemoveWhileFilesKeepChanging() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        TestNode n1 = cluster.node(0);
        TestNode n2 = cluster.node(1);
        TestNode n3 = cluster.node(2);

        // Files change on every node throughout.
        Map<String, String> written = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<TestNode> writers = new ArrayList<>(List.of(n1, n2));
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                TestNode n = writers.get(i % writers.size());
                String rel = "live/" + n.id() + "/f" + i + ".txt";
                String content = "write " + i + " on " + n.id();
                try {
                    TestCluster.write(n.file(rel), content);
                    written.put(rel, content);
                    Thread.sleep(60);
                } catch (Exception e) {
                    return;
                }
            }
        }, "writer");
        writer.start();

        // A fourth node with files of its own, started to wait until an operator adds it.
        int[] ports = TestPorts.free(3);
        Path dir4 = base.resolve("node4");
        TestCluster.write(dir4.resolve("from4/own.txt"), "node4 had this before joining");
        extra = new Node(NodeConfig.builder("node4", ports[0]).adminPort(ports[1]).peerPort(ports[2]).dataDir(dir4).build())
                .waitToBeAdded(true);
        java.util.concurrent.CompletableFuture<Void> started = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                extra.start(); // returns once an operator has added it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String a4 = "127.0.0.1:" + ports[1];
        // It waits on its Raft port for the certificate an operator's `cluster add` brings.
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", ports[0])) {
                assertThat(s.isConnected()).isTrue();
            }
        });
        assertThat(started).isNotDone();
        assertThat(dir4.resolve(".pickbox/raft")).as("no cluster state before it is added").doesNotExist();

        // Add it through a follower's API, with the CLI.
        TestNode leader = ItSupport.awaitLeader(cluster.nodes(), T);
        TestNode follower = leader == n1 ? n2 : n1;
        Run add = cli("cluster", "add", "node4", "127.0.0.1:" + ports[0], "--admin", follower.adminAddress());
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("added node4");
        started.get(30, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            JsonNode members = json(get(leader.adminAddress(), "/v1/status")).path("members");
            assertThat(members).hasSize(4);
            for (JsonNode m : members) {
                assertThat(m.path("role").asText()).isIn("leader", "follower");
                assertThat(m.path("voting").asBoolean()).isTrue();
            }
            assertThat(get(a4, "/v1/health").statusCode()).isEqualTo(200);
        });
        awaitContent(cluster.nodes(), "from4/own.txt", "node4 had this before joining", T);
        await().atMost(T).ignoreExceptions().untilAsserted(() ->
                assertThat(dir4.resolve("live/node1/f0.txt")).hasContent("write 0 on node1"));

        // Status, as a table and as JSON.
        Run status = cli("cluster", "status", "--admin", leader.adminAddress());
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("MEMBER", "node1", "node2", "node3", "node4", "leader", "follower");
        Run statusJson = cli("cluster", "status", "--json", "--admin", a4);
        assertThat(statusJson.code()).isZero();
        assertThat(AdminHttp.JSON.readTree(statusJson.out()).path("members")).hasSize(4);
        Run watch = cli("cluster", "status", "--watch", "--iterations", "2", "--admin", a4);
        assertThat(watch.code()).isZero();
        assertThat(watch.out()).contains("node4*");

        // Hand leadership to node4, asking a node that is not the leader.
        TestNode asker = leader == n3 ? n1 : n3;
        Run transfer = cli("cluster", "transfer-leader", "node4", "--admin", asker.adminAddress());
        assertThat(transfer.code()).as(transfer.err()).isZero();
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            assertThat(json(get(a4, "/v1/status")).path("role").asText()).isEqualTo("leader");
            for (TestNode n : cluster.nodes()) assertThat(leaderOf(n)).isEqualTo("node4");
        });

        // Remove node3 (asking node1); it leaves the membership everywhere.
        Run remove = cli("cluster", "remove", "node3", "--admin", n1.adminAddress());
        assertThat(remove.code()).as(remove.err()).isZero();
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (String a : List.of(n1.adminAddress(), n2.adminAddress(), a4)) {
                JsonNode members = json(get(a, "/v1/status")).path("members");
                assertThat(members.findValuesAsText("id")).containsExactlyInAnyOrder("node1", "node2", "node4");
            }
        });
        n3.stop();
        TestCluster.write(n2.file("after-remove.txt"), "still replicating");

        // Errors: unknown member -> 1, usage -> 2.
        assertThat(cli("cluster", "remove", "ghost", "--admin", n1.adminAddress()).code()).isEqualTo(1);
        assertThat(cli("cluster", "transfer-leader", "ghost", "--admin", n1.adminAddress()).code()).isEqualTo(1);
        assertThat(cli("cluster", "add", "node9").code()).isEqualTo(2);
        assertThat(cli("cluster", "add", "node9", "not-an-address", "--admin", n1.adminAddress()).code()).isEqualTo(2);
        assertThat(cli("cluster", "status", "--admin", "127.0.0.1:1").code()).isEqualTo(1);

        writing.set(false);
        writer.join();
        List<TestNode> remaining = List.of(n1, n2);
        Map<String, byte[]> expected = new java.util.HashMap<>();
        written.forEach((k, v) -> expected.put(k, v.getBytes(StandardCharsets.UTF_8)));
        expected.put("after-remove.txt", "still replicating".getBytes(StandardCharsets.UTF_8));
        awaitContents(remaining, expected, T);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (var f : expected.entrySet()) assertThat(dir4.resolve(f.getKey())).hasBinaryContent(f.getValue());
        });
        assertThat(written.size()).isGreaterThan(10);
        await().atMost(T).ignoreExceptions().untilAsserted(() ->
                assertThat(io.pickbox.folder.FolderComparison.compare(List.of(n1.dir(), n2.dir(), dir4))).isEmpty());
    }

    /**
     * Leadership handed from node to node while files keep being written: each transfer succeeds.
     * A target can fall an entry behind between the leader's check that it is current and its
     * election, lose that election, and the old leader win the next one: the transfer is asked again.
     */
    @Test
    void leadershipHandedRoundWhileFilesKeepBeingWritten() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    TestCluster.write(cluster.node(i % 3).file("round/f" + i + ".txt"), "write " + i);
                    Thread.sleep(10);
                } catch (Exception e) {
                    return;
                }
            }
        }, "writer");
        writer.start();
        try {
            for (int round = 0; round < 24; round++) {
                TestNode leader = ItSupport.awaitLeader(cluster.nodes(), T);
                TestNode target = cluster.nodes().get((cluster.nodes().indexOf(leader) + 1) % 3);
                Run transfer = cli("cluster", "transfer-leader", target.id(), "--admin", leader.adminAddress());
                assertThat(transfer.code()).as("round " + round + ": " + transfer.err()).isZero();
                await().atMost(T).ignoreExceptions().untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) assertThat(leaderOf(n)).isEqualTo(target.id());
                });
            }
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    /** `TOKEN=$(pickbox cluster invite)` works: the token alone on standard output, guidance on standard error. */
    @Test
    void anInviteFromTheCliIsTheTokenAloneAndAdmitsOneNode() throws Exception {
        cluster = TestCluster.inJvm(base, 2);
        Run invite = cli("cluster", "invite", "--expires", "10m", "--admin", cluster.node(1).adminAddress());
        assertThat(invite.code()).as(invite.err()).isZero();
        assertThat(invite.out()).matches("pbx1-[A-Za-z0-9_-]+\\R");
        assertThat(invite.err()).contains("--join").contains("voter");

        TestNode third = cluster.newNode();
        third.join = cluster.node(0).raftAddress();
        third.invite = invite.out().trim();
        cluster.register(third);
        third.start();
        TestCluster.write(third.file("from-third.txt"), "joined by the CLI's invite");
        awaitContent(cluster.nodes(), "from-third.txt", "joined by the CLI's invite", T);

        Run tooLong = cli("cluster", "invite", "--expires", "31d", "--admin", cluster.node(0).adminAddress());
        assertThat(tooLong.code()).isNotZero();
        assertThat(tooLong.out()).isEmpty();
        assertThat(tooLong.err()).contains("30 days");
        Run malformed = cli("cluster", "invite", "--expires", "soon", "--admin", cluster.node(0).adminAddress());
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.out()).isEmpty();
    }

    @Test
    void whyExplainsOnePath() throws Exception {
        cluster = TestCluster.inJvm(base, 2);
        TestNode n1 = cluster.node(0);
        TestCluster.write(n1.file("docs/a.txt"), "a");
        awaitContent(cluster.nodes(), "docs/a.txt", "a", T);
        cluster.awaitConverged(T);

        Run ok = cli("why", "docs/a.txt", "--admin", n1.adminAddress());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("docs/a.txt: in sync", "version");

        // A case collision with a committed path is refused by apply: on disk, never committed.
        TestCluster.write(n1.file("docs/A.txt"), "collides with docs/a.txt");
        await().atMost(T).untilAsserted(() -> {
            Run local = cli("why", "docs/A.txt", "--admin", n1.adminAddress());
            assertThat(local.code()).isEqualTo(1);
            assertThat(local.out()).contains("not committed, but present on this node's disk", "why:", "case collision");
        });

        Run none = cli("why", "nowhere.txt", "--admin", n1.adminAddress());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).contains("not committed and not on this node's disk");

        Run json = cli("why", "docs/a.txt", "--json", "--admin", n1.adminAddress());
        assertThat(AdminHttp.JSON.readTree(json.out()).path("sync").path("state").asText()).isEqualTo("in sync");
        assertThat(cli("why", "../etc/passwd", "--admin", n1.adminAddress()).code()).isEqualTo(2);
    }
}
