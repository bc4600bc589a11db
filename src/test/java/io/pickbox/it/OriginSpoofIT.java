package io.pickbox.it;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.raft.OpCodec;
import io.pickbox.raft.Proposal;
import io.pickbox.trust.NodeTls;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member speaks only for itself: a client holding node2's real certificate cannot propose an op
 * in node3's name (which would apply it, or push node3's sequence ahead so that node3's own edits
 * are dropped as duplicates), nor announce a peer address its certificate does not name, whichever
 * kind of Ratis request carries the proposal. The same client proposing as node2 is accepted, so a
 * refusal is the check at work and not a broken client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OriginSpoofIT {

    private static final Duration T = Duration.ofSeconds(30);
    /** How long a refused op must stay without effect. */
    private static final Duration STAYS_REFUSED = Duration.ofSeconds(3);
    /** A victim's next edit after a refused spoof: as fast as any edit (a sequence pushed 300 ahead took over 5 s). */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @TempDir
    static Path base;
    static TestCluster cluster;
    static TestNode node1;
    static TestNode node2;
    static TestNode node3;
    /** node2's real certificate and key, as node2 itself presents them. */
    static NodeTls node2Tls;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        node1 = cluster.node(0);
        node2 = cluster.node(1);
        node3 = cluster.node(2);
        node2Tls = OutsideClients.memberIdentity(node2.config().stateDir());
        cluster.awaitConverged(T);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void aProposalInAnotherMembersNameIsRefusedAndLeavesItsSequenceAlone() throws Exception {
        long victimSeq = lastSeqEverywhere("node3");
        Map<TestNode, Long> applied = cluster.appliedOps();
        byte[] content = text("written in node3's name by node2\n");
        try (RaftClient asNode2 = clientWith(node2Tls)) {
            for (long seq : new long[] {victimSeq + 300, Long.MAX_VALUE}) {
                String refusal = OutsideClients.failureOf(() -> OutsideClients.write(asNode2,
                        OutsideClients.inlinePut(new Op.Origin("node3", seq), "spoof/by-node2.txt", content)));
                assertThat(refusal).as("how the spoofed proposal (seq " + seq + ") failed").contains("PERMISSION_DENIED");
            }
        }
        assertRefusedWithoutEffect("spoof/by-node2.txt", "node3", victimSeq, applied);
        assertEditReplicatesPromptly(node3, "spoof/node3-after.txt");
    }

    @Test
    @Order(2)
    void aHelloAnnouncingAnAddressTheCertificateDoesNotNameIsRefused() throws Exception {
        long seq = lastSeqEverywhere("node2");
        Map<TestNode, Long> applied = cluster.appliedOps();
        String announced = node1.node().index().peerAddresses().get("node2");
        assertThat(announced).as("node2's peer address as announced by node2").isEqualTo("127.0.0.1:" + node2.peerPort);
        try (RaftClient asNode2 = clientWith(node2Tls)) {
            String refusal = OutsideClients.failureOf(() -> OutsideClients.write(asNode2,
                    Proposal.message(new Op.Hello(new Op.Origin("node2", seq + 1), "198.51.100.7:9999"), null)));
            assertThat(refusal).contains("PERMISSION_DENIED");
        }
        await("node2's announced address and sequence").during(STAYS_REFUSED).atMost(STAYS_REFUSED.plusSeconds(5))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) {
                        assertThat(n.node().index().peerAddresses().get("node2")).as("node2's peer address on " + n).isEqualTo(announced);
                        assertThat(n.node().index().lastSeq("node2")).as("node2's sequence on " + n).isEqualTo(seq);
                        assertThat(n.appliedOps()).as("applied ops on " + n).isEqualTo(applied.get(n));
                    }
                });
        assertEditReplicatesPromptly(node2, "spoof/node2-after-hello.txt");
    }

    /** The positive control: the same client, certificate and kind of op, in its own name, is applied. */
    @Test
    @Order(3)
    void theSameClientProposingInItsOwnNameIsAccepted() throws Exception {
        long seq = lastSeqEverywhere("node2");
        byte[] content = text("written by node2's certificate in node2's name\n");
        RaftClientReply reply;
        try (RaftClient asNode2 = clientWith(node2Tls)) {
            reply = (RaftClientReply) OutsideClients.write(asNode2,
                    OutsideClients.inlinePut(new Op.Origin("node2", seq + 1), "spoof/own-name.txt", content));
        }
        Result result = OpCodec.decodeResult(reply.getMessage().getContent().toByteArray());
        assertThat(result.status()).as("result " + result).isEqualTo(Result.Status.APPLIED);
        ItSupport.awaitContent(cluster.nodes(), "spoof/own-name.txt", content, T);
        assertEditReplicatesPromptly(node2, "spoof/node2-after-control.txt");
    }

    /**
     * Ratis also takes a write as a message stream: its pieces are assembled on the leader and the
     * whole goes to the state machine as a write. The stream's requests must be checked as writes are.
     * Fails while raft.MemberAuthentication checks only requests of the WRITE type.
     */
    @Test
    @Order(4)
    void aProposalInAnotherMembersNameSentAsAMessageStreamIsRefused() throws Exception {
        long victimSeq = lastSeqEverywhere("node3");
        Map<TestNode, Long> applied = cluster.appliedOps();
        Message spoof = OutsideClients.inlinePut(new Op.Origin("node3", victimSeq + 300), "spoof/streamed.txt",
                text("streamed in node3's name by node2\n"));
        try (RaftClient asNode2 = clientWith(node2Tls)) {
            OutsideClients.failureOf(() -> {
                RaftClientReply reply = asNode2.getMessageStreamApi().streamAsync(spoof).get(30, TimeUnit.SECONDS);
                if (!reply.isSuccess()) throw new IllegalStateException("refused: " + reply.getException());
                return "accepted: " + OpCodec.decodeResult(reply.getMessage().getContent().toByteArray());
            });
        }
        assertRefusedWithoutEffect("spoof/streamed.txt", "node3", victimSeq, applied);
    }

    /**
     * A FORWARD request carries another client request inside its message, and the leader submits
     * that one as a write: it must be checked as a write is.
     * Fails while raft.MemberAuthentication checks only requests of the WRITE type.
     */
    @Test
    @Order(5)
    void aProposalInAnotherMembersNameWrappedInAForwardRequestIsRefused() throws Exception {
        long victimSeq = lastSeqEverywhere("node3");
        Map<TestNode, Long> applied = cluster.appliedOps();
        TestNode leader = cluster.leader();
        Message spoof = OutsideClients.inlinePut(new Op.Origin("node3", victimSeq + 300), "spoof/forwarded.txt",
                text("forwarded in node3's name by node2\n"));
        var group = node1.node().raft().groupId();
        ClientId clientId = ClientId.randomId();
        RaftClientRequest inner = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(RaftPeerId.valueOf(leader.id()))
                .setGroupId(group).setCallId(1).setMessage(spoof).setType(RaftClientRequest.writeRequestType()).build();
        RaftClientRequest forward = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(RaftPeerId.valueOf(leader.id()))
                .setGroupId(group).setCallId(2).setType(RaftClientRequest.forwardRequestType())
                .setMessage(Message.valueOf(ClientProtoUtils.toRaftClientRequestProto(inner).toByteString())).build();
        try (RaftClient asNode2 = clientWith(node2Tls)) {
            OutsideClients.failureOf(() -> {
                RaftClientReply reply = asNode2.getClientRpc().sendRequest(forward);
                if (!reply.isSuccess()) throw new IllegalStateException("refused: " + reply.getException());
                return "accepted: " + OpCodec.decodeResult(reply.getMessage().getContent().toByteArray());
            });
        }
        assertRefusedWithoutEffect("spoof/forwarded.txt", "node3", victimSeq, applied);
    }

    // ---------------------------------------------------------------- helpers

    private static RaftClient clientWith(NodeTls tls) throws java.io.IOException {
        var raft = node1.node().raft();
        return OutsideClients.raftClient(raft.groupId(), List.copyOf(raft.division().getGroup().getPeers()),
                OutsideClients.mutualTls(tls.keyManager(), tls.trustManager()));
    }

    /** {@code origin}'s last applied sequence, the same on every node (waits until it is). */
    private static long lastSeqEverywhere(String origin) {
        long[] seq = new long[1];
        await("the same sequence of " + origin + " everywhere").atMost(T).pollInterval(Duration.ofMillis(100)).until(() -> {
            long first = node1.node().index().lastSeq(origin);
            for (TestNode n : cluster.nodes()) if (n.node().index().lastSeq(origin) != first) return false;
            seq[0] = first;
            return true;
        });
        return seq[0];
    }

    /** For a while: {@code path} on no node, {@code victim}'s sequence where it was, nothing applied anywhere. */
    private static void assertRefusedWithoutEffect(String path, String victim, long victimSeq, Map<TestNode, Long> applied) {
        await("no effect of the refused op").during(STAYS_REFUSED).atMost(STAYS_REFUSED.plusSeconds(5))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) {
                        assertThat(n.file(path)).as(path + " on " + n).doesNotExist();
                        assertThat(n.node().index().lastSeq(victim)).as(victim + "'s sequence on " + n).isEqualTo(victimSeq);
                        assertThat(n.appliedOps()).as("applied ops on " + n).isEqualTo(applied.get(n));
                    }
                });
    }

    /** {@code author}'s next local edit reaches every node promptly: its sequence was not pushed ahead. */
    private static void assertEditReplicatesPromptly(TestNode author, String path) throws Exception {
        byte[] content = text("edited on " + author + " after the attempt\n");
        ItSupport.write(author.file(path), content);
        ItSupport.awaitContent(cluster.nodes(), path, content, PROMPTLY);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
