package io.pickbox.it;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.raft.OpCodec;
import io.pickbox.raft.Proposal;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Invariant 9 (exactly once, in order): a retried op applies once; {@code mv a b; echo x > a} keeps a's old content. */
class ExactlyOnceIT {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static Result send(RaftClient client, Message m) throws Exception {
        RaftClientReply reply = client.async().send(m).get(30, TimeUnit.SECONDS);
        assertThat(reply.isSuccess()).as("reply " + reply).isTrue();
        return OpCodec.decodeResult(reply.getMessage().getContent().toByteArray());
    }

    /** Every node applied exactly {@code delta} more ops than before, and stays there for a moment. */
    private static void awaitAppliedDelta(Map<TestNode, Long> before, long delta) {
        await().atMost(T).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(n.appliedOps()).as("applied ops on " + n).isEqualTo(before.get(n) + delta);
        });
        await().atMost(Duration.ofSeconds(6)).during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) {
                        assertThat(n.appliedOps()).as("applied ops on " + n).isEqualTo(before.get(n) + delta);
                    }
                });
    }

    /** The origin of {@code n}'s next op, as its proposer would number it. */
    private static Op.Origin nextOrigin(TestNode n) {
        return new Op.Origin(n.id(), n.node().index().lastSeq(n.id()) + 1);
    }

    @Test
    void aLostReplyWhoseRetryAppliesOnce_inlinePut() throws Exception {
        cluster.awaitConverged(T);
        Map<TestNode, Long> before = cluster.appliedOps();
        byte[] content = "exactly once\n".getBytes(StandardCharsets.UTF_8);
        String sha = ItSupport.sha256(content);
        // A member proposes only as itself: the next sequence number of node2 (idle now, so no clash).
        Op.Origin origin = nextOrigin(cluster.node(1));
        Op put = new Op.Put(origin, "once/retried.txt", content.length, sha, List.of(sha), 0644, 1_700_000_000_000L, 0, true);

        Result first;
        Result second;
        try (RaftClient client = ItSupport.raftClient(cluster.node(1))) {
            first = send(client, Proposal.message(put, ByteBuffer.wrap(content)));
            // The same encoded op again, as a proposer does after losing the reply.
            second = send(client, Proposal.message(put, ByteBuffer.wrap(content)));
        }
        assertThat(first.status()).as("first " + first).isEqualTo(Result.Status.APPLIED);
        assertThat(first.path()).isEqualTo("once/retried.txt");
        assertThat(second.status()).as("retry " + second).isEqualTo(Result.Status.DUPLICATE);

        awaitAppliedDelta(before, 1);
        ItSupport.awaitContent(cluster.nodes(), "once/retried.txt", content, T);
        cluster.awaitConverged(T);
        for (TestNode n : cluster.nodes()) {
            assertThat(ItSupport.listing(n.dir()).stream().filter(p -> p.contains("retried")).toList())
                    .as("copies of the file on " + n).containsExactly("once/retried.txt");
        }
        ItSupport.assertNoConflicts(cluster.nodes());
    }

    @Test
    void aLostReplyWhoseRetryAppliesOnce_mkdirThroughTwoDifferentNodes() throws Exception {
        cluster.awaitConverged(T);
        Map<TestNode, Long> before = cluster.appliedOps();
        Op.Origin origin = nextOrigin(cluster.node(0));
        Op mkdir = new Op.Mkdir(origin, "once-dir/inner", 0755, 1_700_000_000_000L);
        Message m = Proposal.message(mkdir, null);
        Result first;
        Result second;
        // The retry goes out through another client of the same node, as after its client was replaced.
        try (RaftClient c1 = ItSupport.raftClient(cluster.node(0)); RaftClient c2 = ItSupport.raftClient(cluster.node(0))) {
            first = send(c1, m);
            second = send(c2, m);
        }
        assertThat(first.status()).as("first " + first).isEqualTo(Result.Status.APPLIED);
        assertThat(second.status()).as("retry " + second).isEqualTo(Result.Status.DUPLICATE);
        awaitAppliedDelta(before, 1);
        await().atMost(T).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(n.file("once-dir/inner")).as("dir on " + n).isDirectory();
        });
        cluster.awaitConverged(T);
    }

    @Test
    void moveThenRecreateNeverLosesTheOldContent() throws Exception {
        TestNode n = cluster.node(1);
        for (int i = 0; i < 10; i++) {
            String a = "mvx/a" + i + ".txt";
            String b = "mvx/b" + i + ".txt";
            String old = "old content of a" + i + " " + UUID.randomUUID();
            TestCluster.write(n.file(a), old);
            ItSupport.awaitContent(cluster.nodes(), a, old, T);
            Files.move(n.file(a), n.file(b));
            Files.writeString(n.file(a), "x");
            ItSupport.awaitContents(cluster.nodes(), Map.of(b, old.getBytes(StandardCharsets.UTF_8), a, "x".getBytes()), T);
        }
        cluster.awaitConverged(T);
        ItSupport.assertNoConflicts(cluster.nodes());
        for (TestNode node : cluster.nodes()) {
            for (int i = 0; i < 10; i++) {
                assertThat(Files.readString(node.file("mvx/a" + i + ".txt"))).as("a" + i + " on " + node).isEqualTo("x");
                assertThat(Files.readString(node.file("mvx/b" + i + ".txt"))).as("b" + i + " on " + node).startsWith("old content of a" + i + " ");
            }
        }
    }
}
