package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.index.Op;
import io.pickbox.node.NodeConfig;
import io.pickbox.trust.ClusterIds;
import io.pickbox.trust.NodeTls;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.pickbox.it.NamespaceCluster.awaitFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Everyone who is not a member is refused, on hosts of their own: a node with another CA's
 * certificate, a plaintext client, an outside Ratis client without a certificate, a node with a
 * used, expired or mistyped invite or none, and a removed member. Each changes nothing: the same
 * members, no new file anywhere, no op applied; and the node says in its log why it refused, where
 * it saw the attempt. Three members on hosts 1-3; strangers and late joiners on hosts 4 and 5.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustIT {

    private static final Duration REPLICATION = Duration.ofSeconds(30);
    /** How long a refused attempt must stay without effect. */
    private static final Duration STAYS_UNCHANGED = Duration.ofSeconds(3);
    /** A refused start exits by itself well within this. */
    private static final Duration REFUSED_START = Duration.ofSeconds(90);
    private static final int PEER_PORT = NamespaceCluster.RAFT_PORT + NodeConfig.PEER_PORT_OFFSET;

    @RegisterExtension
    static final NodeLogsOnFailure logs = new NodeLogsOnFailure();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static NamespaceCluster cluster;
    static NamespaceNode a;
    static NamespaceNode b;
    static NamespaceNode c;
    static String clusterId;
    /** A file every member holds, and the hash its bytes are served by on the peer port. */
    static byte[] known;
    static String knownSha;

    @BeforeAll
    static void start() throws Exception {
        cluster = NamespaceCluster.start(base, 3, 2);
        a = cluster.node("a");
        b = cluster.node("b");
        c = cluster.node("c");
        clusterId = OutsideClients.memberIdentity(stateDir(a)).clusterId();
        known = "every member holds this\n".getBytes(StandardCharsets.UTF_8);
        knownSha = ItSupport.sha256(known);
        ItSupport.write(a.file("known.txt"), known);
        awaitFiles(cluster.nodes(), Map.of("known.txt", known), REPLICATION);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void aCertificateFromAnotherCaIsRefusedOnTheRaftAndPeerPorts() throws Exception {
        logs.watch(cluster);
        List<NamespaceNode> members = cluster.nodes();
        String otherCluster = ClusterIds.newClusterId();
        // A real identity of another cluster, and a forged CA that names this cluster and signs a certificate for member b.
        NodeTls stranger = OutsideClients.foreignIdentity(base.resolve("other-cluster-tls"), otherCluster, "mallory",
                List.of(cluster.hosts().address(4)));
        NodeTls forged = OutsideClients.foreignIdentity(base.resolve("forged-ca-tls"), clusterId, "b", List.of(b.address));
        Snapshot before = Snapshot.settled(members);

        for (NodeTls intruder : List.of(stranger, forged)) {
            String who = intruder.self().nodeId();
            try (RaftClient client = raftClient(OutsideClients.mutualTls(intruder.keyManager(), OutsideClients.anyServer()))) {
                OutsideClients.failureOf(() -> OutsideClients.write(client,
                        OutsideClients.inlinePut(new Op.Origin(who, 1), "intruder/" + who + ".txt", known)));
            }
            HttpClient https = OutsideClients.https(intruder.keyManager(), OutsideClients.anyServer());
            String refusal = OutsideClients.failureOf(() -> OutsideClients.get(https, blobUrl(a)));
            assertThat(refusal).as("a's peer port to a certificate of " + who).contains("SSL");
        }

        before.assertUnchangedOn(members, "intruder/mallory.txt", "intruder/b.txt");
        awaitLogLine(a, "Refused .*: refused client mallory.*names cluster " + otherCluster + " not ours");
        awaitLogLine(a, "Refused .*: refused client b.*certificate from another CA");
        assertMemberReadsPeerPort(b, a);
        assertReplicates(b, "after/another-ca.txt", members);
    }

    @Test
    @Order(2)
    void aPlaintextClientIsRefusedOnTheRaftAndPeerPorts() throws Exception {
        logs.watch(cluster);
        List<NamespaceNode> members = cluster.nodes();
        Snapshot before = Snapshot.settled(members);

        try (RaftClient client = raftClient(OutsideClients.plaintext())) {
            OutsideClients.failureOf(() -> OutsideClients.write(client,
                    OutsideClients.inlinePut(new Op.Origin("plain", 1), "intruder/plaintext.txt", known)));
        }
        try {
            HttpResponse<byte[]> r = OutsideClients.get(AdminHttp.HTTP, "http://" + a.address + ":" + PEER_PORT + "/v1/blobs/" + knownSha);
            assertThat(r.statusCode()).as("plain HTTP to a's peer port").isNotEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).doesNotContain(new String(known, StandardCharsets.ISO_8859_1));
        } catch (IOException refused) {
            // the connection closed without an HTTP answer: refused as well
        }

        before.assertUnchangedOn(members, "intruder/plaintext.txt");
        assertReplicates(c, "after/plaintext.txt", members);
    }

    @Test
    @Order(3)
    void anOutsideRatisClientWithoutACertificateIsRefused() throws Exception {
        logs.watch(cluster);
        List<NamespaceNode> members = cluster.nodes();
        Snapshot before = Snapshot.settled(members);
        // It trusts the cluster's CA (public, in any member's ca.pem), so the handshake succeeds and only the call is judged.
        NodeTls trusting = OutsideClients.memberIdentity(stateDir(a));

        try (RaftClient client = raftClient(OutsideClients.serverOnlyTls(trusting.trustManager()))) {
            String refusal = OutsideClients.failureOf(() -> OutsideClients.write(client,
                    OutsideClients.inlinePut(new Op.Origin("a", 1_000_000), "intruder/no-certificate.txt", known)));
            assertThat(refusal).contains("UNAUTHENTICATED");
        }

        before.assertUnchangedOn(members, "intruder/no-certificate.txt");
        awaitLogLine(members, "Refused [0-9.]+: no member certificate");
        assertReplicates(a, "after/no-certificate.txt", members);
    }

    @Test
    @Order(4)
    void aUsedInviteIsRefusedAndItsNodeJoinsNothing() throws Exception {
        logs.watch(cluster);
        String token = cluster.invite(a, false);
        NamespaceNode d = cluster.spare(4, "d");
        cluster.start(d, a.raftAddress(), token);
        List<NamespaceNode> members = List.of(a, b, c, d);
        await("d a member everywhere").atMost(REPLICATION).ignoreExceptions()
                .untilAsserted(() -> {
                    for (NamespaceNode n : members) assertThat(memberIds(n)).as("members seen by " + n).containsExactly("a", "b", "c", "d");
                });
        Snapshot before = Snapshot.settled(members);

        NamespaceNode e = cluster.spare(5, "e");
        String output = runRefused(e, cluster.config(e, a.raftAddress(), token));
        assertThat(output).contains("already used");

        before.assertUnchangedOn(members);
        assertNotJoined(e);
        awaitLogLine(a, "Refused to admit e from .*: unknown or already used invite token");
        assertReplicates(d, "after/used-invite.txt", members);
    }

    @Test
    @Order(5)
    void anExpiredInviteIsRefused() throws Exception {
        logs.watch(cluster);
        List<NamespaceNode> members = members();
        Instant made = Instant.now();
        String token = cluster.invite(a, false, Duration.ofSeconds(1));
        await("the invite's expiry").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().isAfter(made.plusMillis(1500)));
        Snapshot before = Snapshot.settled(members);

        NamespaceNode f = cluster.spare(5, "f");
        String output = runRefused(f, cluster.config(f, a.raftAddress(), token));
        assertThat(output).contains("expired");

        before.assertUnchangedOn(members);
        assertNotJoined(f);
        awaitLogLine(a, "Refused to admit f from .*: the invite token expired");
    }

    @Test
    @Order(6)
    void aMistypedInviteOrNoneIsRefusedBeforeAnythingIsCreated() throws Exception {
        logs.watch(cluster);
        List<NamespaceNode> members = members();
        String token = cluster.invite(a, false);
        Snapshot before = Snapshot.settled(members);

        NamespaceNode g = cluster.spare(5, "g");
        String output = runRefused(g, cluster.config(g, a.raftAddress(), mistype(token)));
        assertThat(output).contains("mistyped");
        NamespaceNode h = cluster.spare(5, "h");
        String noToken = runRefused(h, cluster.config(h, a.raftAddress(), null));
        assertThat(noToken).contains("--join needs an invite");

        before.assertUnchangedOn(members);
        for (NamespaceNode n : List.of(g, h)) {
            assertThat(n.file(".pickbox")).as("state of " + n + ", refused before it starts").doesNotExist();
        }
        // The invite itself was not spent by the mistyped copy: it still admits a node.
        NamespaceNode i = cluster.spare(5, "i");
        cluster.start(i, a.raftAddress(), token);
        await("i a member").atMost(REPLICATION).ignoreExceptions()
                .untilAsserted(() -> assertThat(memberIds(a)).contains("i"));
        i.stop();
        removeMember(a, "i");
    }

    @Test
    @Order(7)
    void aRemovedMemberIsRefusedAndItsEditsGoNowhere() throws Exception {
        logs.watch(cluster);
        NodeTls removedIdentity = OutsideClients.memberIdentity(stateDir(c));
        removeMember(a, "c");
        List<NamespaceNode> members = List.of(a, b, cluster.spares().stream().filter(n -> n.id.equals("d")).findFirst().orElseThrow());
        await("c gone from the members").atMost(REPLICATION).ignoreExceptions().untilAsserted(() -> {
            for (NamespaceNode n : members) assertThat(memberIds(n)).as("members seen by " + n).containsExactly("a", "b", "d");
        });
        assertThat(c.running()).as("c, still running after its removal").isTrue();
        Snapshot before = Snapshot.settled(members);

        ItSupport.write(c.file("removed/from-c.txt"), "written on c after its removal\n".getBytes(StandardCharsets.UTF_8));
        try (RaftClient client = raftClient(OutsideClients.mutualTls(removedIdentity.keyManager(), removedIdentity.trustManager()))) {
            OutsideClients.failureOf(() -> OutsideClients.write(client,
                    OutsideClients.inlinePut(new Op.Origin("c", Long.MAX_VALUE - 1), "removed/by-c-certificate.txt", known)));
        }
        HttpClient https = OutsideClients.https(removedIdentity.keyManager(), removedIdentity.trustManager());
        String peerRefusal = peerPortRefusal(https, a);

        before.assertUnchangedOn(members, "removed/from-c.txt", "removed/by-c-certificate.txt");
        assertThat(peerRefusal).as("a's peer port to c's certificate").isNotEmpty();
        awaitLogLine(a, "Refused .*(removed member c|certificate of c was revoked)");
        assertReplicates(b, "after/removed-member.txt", members);
    }

    // ---------------------------------------------------------------- helpers

    /** The members and what they applied, at a moment nothing was happening. */
    private record Snapshot(Map<String, Long> appliedOps, Map<String, List<String>> members) {

        /** Taken once two readings a second and a half apart agree (a node that just joined announces itself first). */
        static Snapshot settled(List<NamespaceNode> on) {
            Snapshot[] last = new Snapshot[1];
            Snapshot[] settled = new Snapshot[1];
            await("a quiet cluster").atMost(REPLICATION).pollInterval(Duration.ofMillis(1500)).ignoreExceptions().until(() -> {
                Snapshot now = read(on);
                boolean same = now.equals(last[0]);
                last[0] = now;
                if (same) settled[0] = now;
                return same;
            });
            return settled[0];
        }

        static Snapshot read(List<NamespaceNode> on) throws Exception {
            Map<String, Long> applied = new TreeMap<>();
            Map<String, List<String>> members = new TreeMap<>();
            for (NamespaceNode n : on) {
                JsonNode s = n.status();
                applied.put(n.id, s.path("appliedOps").asLong());
                members.put(n.id, ids(s.path("members")));
            }
            return new Snapshot(applied, members);
        }

        /** For a while: the same members, the same ops applied, and none of {@code absent} anywhere. */
        void assertUnchangedOn(List<NamespaceNode> on, String... absent) {
            await("nothing changed").during(STAYS_UNCHANGED).atMost(STAYS_UNCHANGED.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                        assertThat(read(on)).isEqualTo(this);
                        for (NamespaceNode n : on) {
                            for (String rel : absent) assertThat(n.file(rel)).as(rel + " on " + n).doesNotExist();
                        }
                    });
        }
    }

    private static List<NamespaceNode> members() {
        List<NamespaceNode> out = new ArrayList<>(cluster.nodes());
        cluster.spares().stream().filter(n -> n.id.equals("d")).forEach(out::add);
        return out;
    }

    private static List<String> memberIds(NamespaceNode n) throws Exception {
        return ids(n.status().path("members"));
    }

    private static List<String> ids(JsonNode members) {
        Set<String> ids = new TreeSet<>();
        for (JsonNode m : members) ids.add(m.path("id").asText());
        return List.copyOf(ids);
    }

    private static Path stateDir(NamespaceNode n) {
        return n.dir.resolve(".pickbox");
    }

    /** A Ratis client of this cluster's group (its real id) at the three first members' Raft ports. */
    private static RaftClient raftClient(Parameters parameters) {
        List<RaftPeer> peers = new ArrayList<>();
        for (NamespaceNode n : List.of(a, b, c)) peers.add(OutsideClients.peer(n.id, n.raftAddress()));
        return OutsideClients.raftClient(clusterId, peers, parameters);
    }

    private static String blobUrl(NamespaceNode n) {
        return "https://" + n.address + ":" + PEER_PORT + "/v1/blobs/" + knownSha;
    }

    /** The positive control of a peer-port refusal: {@code member}'s own certificate reads the known file's bytes from {@code from}. */
    private static void assertMemberReadsPeerPort(NamespaceNode member, NamespaceNode from) throws Exception {
        NodeTls tls = OutsideClients.memberIdentity(stateDir(member));
        HttpResponse<byte[]> r = OutsideClients.get(OutsideClients.https(tls.keyManager(), tls.trustManager()), blobUrl(from));
        assertThat(r.statusCode()).as("a member's request to " + from + "'s peer port").isEqualTo(200);
        assertThat(r.body()).isEqualTo(known);
    }

    /** How {@code from}'s peer port refused {@code client}: a failed handshake, or a 401/403 answer. */
    private static String peerPortRefusal(HttpClient client, NamespaceNode from) throws Exception {
        try {
            HttpResponse<byte[]> r = OutsideClients.get(client, blobUrl(from));
            assertThat(r.statusCode()).as("peer port of " + from).isIn(401, 403);
            return r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The positive control after a refusal: an edit on {@code author} still reaches every one of {@code members}. */
    private static void assertReplicates(NamespaceNode author, String rel, List<NamespaceNode> members) throws Exception {
        byte[] content = ("written on " + author.id + " after the refusal\n").getBytes(StandardCharsets.UTF_8);
        ItSupport.write(author.file(rel), content);
        awaitFiles(members, Map.of(rel, content), REPLICATION);
    }

    /** Starts {@code n} with {@code config}, expects it to exit non-zero by itself, and returns its output. */
    private static String runRefused(NamespaceNode n, NodeConfig config) throws Exception {
        cluster.start(n, config);
        if (!n.process.waitFor(REFUSED_START.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(n + " is still running; it should have been refused:\n" + n.tail(40));
        }
        int exit = n.process.exitValue();
        String output = Files.readString(n.log, StandardCharsets.ISO_8859_1);
        assertThat(exit).as(n + "'s exit code; output:\n" + output).isNotZero();
        return output;
    }

    /** {@code n} holds no Raft state and no certificate, and no member lists it. */
    private static void assertNotJoined(NamespaceNode n) throws Exception {
        assertThat(stateDir(n).resolve("raft")).as("Raft state of " + n).doesNotExist();
        assertThat(stateDir(n).resolve("tls/node.pem")).as("certificate of " + n).doesNotExist();
        for (NamespaceNode m : members()) assertThat(memberIds(m)).as("members seen by " + m).doesNotContain(n.id);
    }

    /** `pickbox cluster remove ID` against {@code via}, from outside its host as an operator runs it. */
    private static void removeMember(NamespaceNode via, String id) throws Exception {
        List<String> args = new ArrayList<>(List.of("cluster", "remove", id));
        args.addAll(via.cliTarget(cluster.adminTokenFile()));
        ItSupport.ProcResult r = ItSupport.exec(base, Duration.ofSeconds(60), ItSupport.cli(args.toArray(String[]::new)));
        assertThat(r.exitCode()).as("pickbox cluster remove " + id + ": " + r.output()).isZero();
    }

    /** The token with one character of its body changed, as a mistyped copy would be. */
    private static String mistype(String token) {
        int at = token.length() / 2;
        char ch = token.charAt(at);
        return token.substring(0, at) + (ch == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    private static void awaitLogLine(NamespaceNode n, String regex) {
        awaitLogLine(List.of(n), regex);
    }

    /** Waits until the log of one of {@code on} has a line matching {@code regex}. */
    private static void awaitLogLine(List<NamespaceNode> on, String regex) {
        Pattern p = Pattern.compile(regex);
        await("a log line matching " + regex + " on " + on).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    for (NamespaceNode n : on) {
                        for (String line : Files.readAllLines(n.log, StandardCharsets.ISO_8859_1)) if (p.matcher(line).find()) return true;
                    }
                    return false;
                });
    }
}
