package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pickbox.index.Op;
import io.pickbox.raft.Proposal;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 7 (safe input): path traversal and reserved names are refused with a clear error at every entry
 * point (admin API, CLI, raw Raft proposals) and change nothing on any node.
 */
class PathSafetyIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path base;
    static TestCluster cluster;

    private Map<TestNode, List<String>> foldersBefore;
    private Map<TestNode, String> indexBefore;
    private Map<TestNode, Long> opsBefore;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base.resolve("cluster"), 3);
        TestCluster.write(cluster.node(0).file("seed/keep.txt"), "seed");
        ItSupport.awaitContent(cluster.nodes(), "seed/keep.txt", "seed", Duration.ofSeconds(30));
        cluster.awaitConverged(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @BeforeEach
    void snapshot() throws Exception {
        foldersBefore = new HashMap<>();
        indexBefore = new HashMap<>();
        opsBefore = new HashMap<>();
        for (TestNode n : cluster.nodes()) {
            foldersBefore.put(n, ItSupport.listing(n.dir()));
            indexBefore.put(n, n.get("/v1/files").body());
            opsBefore.put(n, n.appliedOps());
        }
    }

    /** Nothing anywhere changed: folders, the committed index as the API lists it, applied ops, no escapee. */
    @AfterEach
    void nothingChanged() throws Exception {
        for (TestNode n : cluster.nodes()) {
            assertThat(ItSupport.listing(n.dir())).as("folder of " + n).isEqualTo(foldersBefore.get(n));
            assertThat(n.get("/v1/files").body()).as("index listed by " + n).isEqualTo(indexBefore.get(n));
            assertThat(n.appliedOps()).as("applied ops on " + n).isEqualTo(opsBefore.get(n));
            assertThat(n.file(".pickbox/raft/x")).doesNotExist();
            assertThat(n.file(".pickbox-tmp-x")).doesNotExist();
            assertThat(n.dir().resolveSibling("escape")).doesNotExist();
            assertThat(n.dir().resolveSibling("evil")).doesNotExist();
        }
        assertThat(base.resolve("escape")).doesNotExist();
        assertThat(base.getParent().resolve("escape")).doesNotExist();
        assertThat(base.resolve("evil")).doesNotExist();
        assertThat(base.getParent().resolve("evil")).doesNotExist();
        try (var s = Files.list(base)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("nothing new next to the node folders").containsExactly("cluster");
        }
    }

    private static HttpResponse<String> send(TestNode n, String method, String encodedPath) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + n.adminAddress() + "/v1/files/" + encodedPath))
                .timeout(Duration.ofSeconds(30));
        b = switch (method) {
            case "PUT" -> b.header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofString("escaped!"));
            case "DELETE" -> b.DELETE();
            default -> b.GET();
        };
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertClearError(HttpResponse<String> r, String what, String mentions) throws Exception {
        assertThat(r.statusCode()).as(what + " status").isBetween(400, 499);
        JsonNode err;
        try {
            err = JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(what + ": not a JSON error body: " + r.body(), e);
        }
        assertThat(err.path("error").asText()).as(what + " error (" + r.body() + ")").isNotBlank();
        assertThat(err.path("detail").asText()).as(what + " detail").contains(mentions);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "PUT    | ..%2F..%2Fescape    | '..'",
            "GET    | ..%2F..%2Fescape    | '..'",
            "DELETE | ..%2F..%2Fescape    | '..'",
            "PUT    | a%2F..%2F..%2Fescape | '..'",
            "PUT    | %2Fetc%2Fpasswd     | absolute",
            "GET    | %2Fetc%2Fpasswd     | absolute",
            "DELETE | %2Fetc%2Fpasswd     | absolute",
            "PUT    | .pickbox%2Fraft%2Fx | .pickbox",
            "GET    | .pickbox%2Fraft%2Fx | .pickbox",
            "DELETE | .pickbox%2Fraft%2Fx | .pickbox",
            "PUT    | .pickbox-tmp-x      | .pickbox-tmp-",
            "GET    | .pickbox-tmp-x      | .pickbox-tmp-",
            "DELETE | .pickbox-tmp-x      | .pickbox-tmp-",
            "PUT    | dir%2F.pickbox-tmp-x | .pickbox-tmp-",
    })
    void adminApiRefusesUnsafePaths(String method, String encodedPath, String mentions) throws Exception {
        for (TestNode n : cluster.nodes()) {
            assertClearError(send(n, method, encodedPath), method + " " + encodedPath + " on " + n, mentions);
        }
    }

    @Test
    void adminApiRefusesNulWithJsonError() throws Exception {
        for (String method : List.of("PUT", "GET", "DELETE")) {
            for (TestNode n : cluster.nodes()) assertClearError(send(n, method, "a%00b"), method + " a%00b on " + n, "NUL");
        }
    }

    /** The part of the NUL case that holds today: refused with a 4xx and nothing changes (checked after each test). */
    @Test
    void adminApiRefusesNul() throws Exception {
        for (String method : List.of("PUT", "GET", "DELETE")) {
            for (TestNode n : cluster.nodes()) {
                assertThat(send(n, method, "a%00b").statusCode()).as(method + " a%00b on " + n).isBetween(400, 499);
            }
        }
    }

    @Test
    void cliRefusesTraversalWithAClearMessage() throws Exception {
        Path local = Files.writeString(Files.createTempFile("pickbox-local", ".txt"), "local content");
        try {
            for (String remote : List.of("../x", "a/../../x", "/etc/x", ".pickbox/raft/x", ".pickbox-tmp-x")) {
                ItSupport.CliResult r = ItSupport.runCli("files", "put", local.toString(), remote, "--admin",
                        cluster.node(1).adminAddress());
                assertThat(r.exitCode()).as("exit code of files put " + remote + ": " + r.output()).isNotZero();
                assertThat(r.output()).as("message of files put " + remote).contains("invalid path").contains(remote);
            }
            ItSupport.CliResult rm = ItSupport.runCli("files", "rm", "../seed", "--admin", cluster.node(2).adminAddress());
            assertThat(rm.exitCode()).as(rm.output()).isNotZero();
            assertThat(rm.output()).contains("'..'");
        } finally {
            Files.deleteIfExists(local);
        }
    }

    @Test
    void rawRaftProposalsWithUnsafePathsAreRefusedBeforeTheLog() throws Exception {
        byte[] data = "evil bytes".getBytes(StandardCharsets.UTF_8);
        String sha = ItSupport.sha256(data);
        // A member's own client (it may propose only its own ops): these are refused for what they hold.
        String origin = cluster.node(0).id();
        List<Op> ops = new ArrayList<>();
        long seq = 1;
        for (String path : List.of("../evil", "a/../../evil", "/tmp/evil", ".pickbox/raft/x", ".pickbox-tmp-x", "a\u0000b", "")) {
            ops.add(new Op.Put(new Op.Origin(origin, seq++), path, data.length, sha, List.of(sha), 0644, 1_700_000_000_000L, 0, true));
        }
        ops.add(new Op.Mkdir(new Op.Origin(origin, seq++), "../evil", 0755, 1_700_000_000_000L));
        ops.add(new Op.Delete(new Op.Origin(origin, seq++), "../seed", 0, Long.MAX_VALUE));
        ops.add(new Op.Rename(new Op.Origin(origin, seq++), "seed/keep.txt", "../evil", 1, 0));
        try (RaftClient client = ItSupport.raftClient(cluster.node(0))) {
            for (Op op : ops) {
                ByteBuffer payload = op instanceof Op.Put ? ByteBuffer.wrap(data) : null;
                Message m = Proposal.message(op, payload);
                RaftClientReply reply;
                try {
                    reply = client.async().send(m).get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // refused: the failure reached the client as an exception
                    assertThat(e.getCause()).as(op.describe()).hasMessageContaining("refused");
                    continue;
                }
                assertThat(reply.isSuccess()).as(op.describe() + " must be refused, got " + reply).isFalse();
                assertThat(reply.getException()).as(op.describe()).isNotNull();
                assertThat(reply.getException().toString()).as(op.describe()).contains("refused");
            }
        }
    }
}
