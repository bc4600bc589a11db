package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.cli.NodeCommandLine;
import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.AdminHttp.call;
import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.AdminHttp.postJson;
import static io.pickbox.it.AdminHttp.rawStatus;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Contract of every admin endpoint, bad input included: clear 4xx and nothing changes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    TestCluster cluster;
    TestNode n1;
    TestNode n2;
    String a1;
    /** n1's peer port, as n2 reaches it. */
    MemberHttp peer1;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.inJvm(base, 2);
        n1 = cluster.node(0);
        n2 = cluster.node(1);
        a1 = n1.adminAddress();
        peer1 = new MemberHttp(n1, n2);
        TestCluster.write(n1.file("docs/readme.txt"), "hello");
        awaitContent(cluster.nodes(), "docs/readme.txt", "hello", T);
        cluster.awaitConverged(T);
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
    }

    /** The committed index and both folders, to show that a refused request changed nothing. */
    private String snapshot() throws Exception {
        return get(a1, "/v1/files").body() + "|" + get(n2.adminAddress(), "/v1/files").body() + "|"
                + ItSupport.listing(n1.dir()) + "|" + ItSupport.listing(n2.dir());
    }

    private static void assertError(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.path("error").asText()).isNotEmpty();
        assertThat(body.has("detail")).isTrue();
    }

    @Test
    void statusDescribesNodeAndMembers() throws Exception {
        JsonNode s = json(get(a1, "/v1/status"));
        assertThat(s.path("node").asText()).isEqualTo("node1");
        assertThat(s.path("role").asText()).isIn("leader", "follower");
        assertThat(s.path("leader").asText()).isIn("node1", "node2");
        assertThat(s.path("term").asLong()).isPositive();
        assertThat(s.path("commitIndex").asLong()).isPositive();
        assertThat(s.path("appliedIndex").asLong()).isPositive();
        assertThat(s.has("pending") && s.has("conflicts") && s.has("files") && s.has("bytes") && s.has("lastError")).isTrue();
        assertThat(s.path("members")).hasSize(2);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (JsonNode m : json(get(cluster.leader().adminAddress(), "/v1/status")).path("members")) {
                assertThat(m.path("id").asText()).isIn("node1", "node2");
                assertThat(m.path("address").asText()).startsWith("127.0.0.1:");
                assertThat(m.path("role").asText()).isIn("leader", "follower");
                assertThat(m.path("reachable").asBoolean()).isTrue();
                assertThat(m.path("lag").isNumber()).isTrue();
                assertThat(m.path("matchIndex").isNumber()).isTrue();
            }
        });
    }

    @Test
    void healthAndReady() throws Exception {
        assertThat(get(a1, "/v1/health").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(a1, "/v1/ready?wait=5s");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).path("ready").asBoolean()).isTrue();
        assertError(get(a1, "/v1/ready?wait=forever"), 400);
    }

    @Test
    void filesListGetContentPutDelete() throws Exception {
        JsonNode list = json(get(a1, "/v1/files?prefix=docs"));
        assertThat(list.findValuesAsText("path")).contains("docs", "docs/readme.txt");
        JsonNode e = json(get(a1, "/v1/files/docs/readme.txt"));
        assertThat(e.path("version").asLong()).isPositive();
        assertThat(e.path("size").asLong()).isEqualTo(5);
        assertThat(e.path("sha256").asText()).hasSize(64);
        assertThat(e.path("mode").asText()).isEqualTo("0644");
        assertThat(e.path("mtime").asLong()).isPositive();
        assertThat(e.path("sync").path("state").asText()).isEqualTo("in sync");
        assertThat(get(a1, "/v1/files/docs/readme.txt?content").body()).isEqualTo("hello");

        // PUT on a follower or leader alike: committed and on every folder.
        HttpResponse<String> put = call(n2.adminAddress(), "PUT", "/v1/files/api/put.txt", "application/octet-stream",
                "from the API".getBytes(StandardCharsets.UTF_8));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(json(put).path("status").asText()).isEqualTo("applied");
        awaitContent(cluster.nodes(), "api/put.txt", "from the API", T);
        // File bytes must be octet-stream.
        assertError(call(a1, "PUT", "/v1/files/api/put.txt", "application/json", "{}".getBytes()), 415);

        HttpResponse<String> del = call(a1, "DELETE", "/v1/files/api/put.txt", null, null);
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        awaitGone(cluster.nodes(), "api/put.txt", T);
        assertError(call(a1, "DELETE", "/v1/files/api/put.txt", null, null), 404);
    }

    @Test
    void filesArePagedByPathWithACursor() throws Exception {
        for (int i = 0; i < 23; i++) TestCluster.write(n2.file("paged/d" + (i % 3) + "/f" + i + ".txt"), "page " + i);
        await().atMost(T).until(() -> json(get(a1, "/v1/files?prefix=paged")).path("entries").size() == 1 + 3 + 23);
        List<String> all = json(get(a1, "/v1/files?prefix=paged&limit=10000")).path("entries").findValuesAsText("path");
        assertThat(all).isSorted().hasSize(27).startsWith("paged", "paged/d0");
        assertThat(json(get(a1, "/v1/files?prefix=paged")).path("next").isNull()).isTrue();

        List<String> paged = new java.util.ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = json(get(a1, "/v1/files?prefix=paged&limit=5" + (next == null ? "" : "&after=" + next)));
            assertThat(page.path("entries").size()).isBetween(1, 5);
            paged.addAll(page.path("entries").findValuesAsText("path"));
            next = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (next != null);
        assertThat(paged).isEqualTo(all);
        assertThat(pages).isEqualTo(6);

        // Only the entries directly in a directory, paged the same way.
        JsonNode top = json(get(a1, "/v1/files?prefix=paged&children&limit=2"));
        assertThat(top.path("entries").findValuesAsText("path")).containsExactly("paged/d0", "paged/d1");
        assertThat(top.path("next").asText()).isEqualTo("paged/d1");
        JsonNode rest = json(get(a1, "/v1/files?prefix=paged&children&limit=2&after=paged/d1"));
        assertThat(rest.path("entries").findValuesAsText("path")).containsExactly("paged/d2");
        assertThat(rest.path("next").isNull()).isTrue();
        assertThat(json(get(a1, "/v1/files?children")).path("entries").findValuesAsText("path")).contains("docs", "paged")
                .doesNotContain("docs/readme.txt");
        JsonNode noConflicts = json(get(a1, "/v1/conflicts?prefix=paged&limit=1"));
        assertThat(noConflicts.path("entries")).isEmpty();
        assertThat(noConflicts.path("next").isNull()).isTrue();
    }

    @Test
    void badPageParametersAreRefusedClearly() throws Exception {
        for (String limit : List.of("0", "-1", "10001", "many", "1.5")) {
            HttpResponse<String> r = get(a1, "/v1/files?limit=" + limit);
            assertError(r, 400);
            assertThat(json(r).path("detail").asText()).contains("limit").contains("10000");
            assertError(get(a1, "/v1/conflicts?limit=" + limit), 400);
        }
        assertError(get(a1, "/v1/files?after=..%2Fetc"), 400);
        assertError(get(a1, "/v1/files?after=%2Fetc%2Fpasswd"), 400);
        assertError(get(a1, "/v1/files?prefix=docs%2F&limit=5"), 400);
        assertError(get(a1, "/v1/conflicts?after=a%2F%2Fb"), 400);
        assertThat(get(a1, "/v1/files?limit=10000").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsAnswer404WithDiskState() throws Exception {
        HttpResponse<String> r = get(a1, "/v1/files/no/such/file.txt");
        assertError(r, 404);
        assertThat(json(r).path("onDisk").asBoolean()).isFalse();
        assertError(get(a1, "/v1/nothing-here"), 404);
        assertError(get(a1, "/v1/files/no/such/file.txt?content"), 404);
    }

    @Test
    void traversalAndBadPathsAreRefusedAndChangeNothing() throws Exception {
        cluster.awaitConverged(T);
        String before = snapshot();
        for (String p : List.of("..%2F..%2Fetc%2Fpasswd", "a%00b", ".pickbox/x", ".pickbox%2Flocal", "%2E%2E/%2E%2E/etc/passwd",
                "/etc/passwd", "x/../../y")) {
            int get = rawStatus(a1, "GET /v1/files/" + p + " HTTP/1.1\r\nHost: " + a1 + "\r\n");
            assertThat(get).as("GET " + p).isBetween(400, 404);
            int put = rawStatus(a1, "PUT /v1/files/" + p + " HTTP/1.1\r\nHost: " + a1
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 0\r\n");
            assertThat(put).as("PUT " + p).isBetween(400, 404);
            int del = rawStatus(a1, "DELETE /v1/files/" + p + " HTTP/1.1\r\nHost: " + a1 + "\r\n");
            assertThat(del).as("DELETE " + p).isBetween(400, 404);
        }
        // The ones that reach the API get a JSON 400.
        assertError(call(a1, "PUT", "/v1/files/.pickbox/x", "application/octet-stream", "x".getBytes()), 400);
        assertError(get(a1, "/v1/files?prefix=..%2Fetc"), 400);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(Files.exists(base.resolve("etc"))).isFalse();
    }

    @Test
    void malformedOversizedAndInvalidJsonBodies() throws Exception {
        String before = snapshot();
        assertError(postJson(a1, "/v1/cluster/members", "{\"id\": "), 400);
        assertError(postJson(a1, "/v1/cluster/members", "[1,2]"), 400);
        assertError(postJson(a1, "/v1/cluster/members", "{\"id\": \"node9\"}"), 400);
        assertError(postJson(a1, "/v1/cluster/members", "{\"id\": \"../x\", \"address\": \"127.0.0.1:1\"}"), 400);
        assertError(postJson(a1, "/v1/cluster/members", "{\"id\": \"node9\", \"address\": \"no port\"}"), 400);
        assertError(postJson(a1, "/v1/cluster/leader", "{}"), 400);
        String big = "{\"id\": \"" + "x".repeat(100_000) + "\"}";
        assertError(postJson(a1, "/v1/cluster/members", big), 413);
        assertError(postJson(a1, "/v1/cluster/leader", big), 413);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(json(get(a1, "/v1/status")).path("members")).hasSize(2);
    }

    /**
     * Chunks travel on the peer port, to members only: a client without a member's certificate, or
     * without TLS, gets nothing there, and the admin port does not serve chunks at all.
     */
    @Test
    void thePeerPortAdmitsMembersOnly() throws Exception {
        byte[] content = ItSupport.randomBytes(2 << 20, 21);
        ItSupport.write(n1.file("docs/members-only.bin"), content);
        awaitContent(cluster.nodes(), "docs/members-only.bin", content, T);
        String path = "/v1/blobs/" + ItSupport.sha256(java.util.Arrays.copyOfRange(content, 0, 1 << 20))
                + "?path=docs%2Fmembers-only.bin&offset=0";
        assertThat(peer1.getBytes(path).statusCode()).as("a member").isEqualTo(200);

        var tls = io.pickbox.trust.NodeTls.load(io.pickbox.trust.TlsFiles.in(n2.config().stateDir()), io.pickbox.trust.RevocationList.NONE);
        var noCertificate = java.net.http.HttpClient.newBuilder()
                .sslContext(io.pickbox.trust.Tls13Context.create(null, tls.trustManager())).build();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + n1.peerPort + path)).build();
        assertThatThrownBy(() -> noCertificate.send(request, HttpResponse.BodyHandlers.ofByteArray()))
                .as("no certificate").isInstanceOf(IOException.class);
        int plaintext;
        try {
            plaintext = AdminHttp.get("127.0.0.1:" + n1.peerPort, path).statusCode();
        } catch (IOException refused) {
            plaintext = -1;
        }
        assertThat(plaintext).as("plaintext").isNotEqualTo(200);
        assertError(get(a1, path), 404);
    }

    /**
     * Small files' chunks many at a time, as a catching-up node asks for them: each served from the
     * peer's copy of the file when it still matches, absent otherwise; a malformed request changes nothing.
     */
    @Test
    void smallFilesChunksAreServedInBatches() throws Exception {
        TestCluster.write(n1.file("batch/a.txt"), "first small file");
        TestCluster.write(n1.file("batch/b.txt"), "second small file");
        awaitContent(cluster.nodes(), "batch/b.txt", "second small file", T);
        String a = ItSupport.sha256("first small file".getBytes(StandardCharsets.UTF_8));
        String b = ItSupport.sha256("second small file".getBytes(StandardCharsets.UTF_8));
        String unknown = ItSupport.sha256("held nowhere".getBytes(StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(request);
        out.writeInt(3);
        for (String[] w : new String[][] {{a, "batch/a.txt"}, {unknown, "batch/a.txt"}, {b, "batch/b.txt"}}) {
            out.write(java.util.HexFormat.of().parseHex(w[0]));
            out.writeShort(w[1].length());
            out.write(w[1].getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> answer = peer1.postBytes("/v1/blobs", request.toByteArray());
        assertThat(answer.statusCode()).isEqualTo(200);
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(answer.body()));
        assertThat(new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8)).isEqualTo("first small file");
        assertThat(in.readInt()).as("a chunk held nowhere").isEqualTo(-1);
        assertThat(new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8)).isEqualTo("second small file");
        assertThat(in.read()).isEqualTo(-1);

        String before = snapshot();
        byte[] escaping = request.toByteArray().clone();
        System.arraycopy("../a.txt".getBytes(StandardCharsets.UTF_8), 0, escaping, 4 + 32 + 2, 8);
        assertThat(peer1.postBytes("/v1/blobs", escaping).statusCode()).as("a path outside the folder").isEqualTo(400);
        assertThat(peer1.postBytes("/v1/blobs", new byte[] {0, 0, 0, 0}).statusCode()).as("no chunks").isEqualTo(400);
        assertThat(peer1.postBytes("/v1/blobs", java.util.Arrays.copyOf(request.toByteArray(), 20)).statusCode()).as("cut short").isEqualTo(400);
        assertThat(peer1.call("POST", "/v1/blobs", "application/json", request.toByteArray()).statusCode()).isEqualTo(415);
        assertThat(snapshot()).isEqualTo(before);
    }

    /** Peers push chunks of large files to each other; a chunk is stored only if it is what its hash says. */
    @Test
    void pushedChunksAreStoredOnlyWhenTheyMatchTheirHash() throws Exception {
        byte[] chunk = ItSupport.randomBytes(300_000, 9);
        String path = "/v1/blobs/" + ItSupport.sha256(chunk);
        // Only chunks of a large file are pushed, each saying where it goes: here the last chunk of a
        // file in a directory this node does not have, so the chunk is kept as a blob only.
        String[] placement = {"X-Pickbox-Path", "not%2Fyet%2Fbig.bin", "X-Pickbox-Offset", String.valueOf(1 << 20),
                "X-Pickbox-Size", String.valueOf((1 << 20) + chunk.length)};
        String before = snapshot();
        assertError(peer1.call("PUT", path, "application/octet-stream", ItSupport.randomBytes(300_000, 10), placement), 400);
        assertError(peer1.call("PUT", "/v1/blobs/not-a-hash", "application/octet-stream", chunk, placement), 400);
        assertError(peer1.call("PUT", path, "application/json", chunk, placement), 415);
        byte[] tooLarge = new byte[(1 << 20) + 1];
        assertError(peer1.call("PUT", "/v1/blobs/" + ItSupport.sha256(tooLarge), "application/octet-stream", tooLarge), 413);
        assertError(peer1.get(path), 404);
        assertThat(snapshot()).isEqualTo(before);

        assertError(peer1.call("PUT", path, "application/octet-stream", chunk), 400); // no placement
        assertThat(peer1.call("PUT", path, "application/octet-stream", chunk, placement).statusCode()).isEqualTo(204);
        assertThat(peer1.call("PUT", path, "application/octet-stream", chunk, placement).statusCode()).isEqualTo(204);
        HttpResponse<byte[]> back = peer1.getBytes(path);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo(chunk);
        // A chunk is not a file: the folders and the index are as they were.
        assertThat(snapshot()).isEqualTo(before);
    }

    /**
     * A pushed chunk may name the file and offset it is for, so that the receiver assembles the file
     * while its chunks arrive; a bad placement is refused before anything is stored.
     */
    @Test
    void aPushedChunksPlacementIsCheckedBeforeAnythingIsStored() throws Exception {
        byte[] chunk = ItSupport.randomBytes(1 << 20, 11);
        String path = "/v1/blobs/" + ItSupport.sha256(chunk);
        String before = snapshot();
        String type = "application/octet-stream";
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "..%2Fescape.bin", "X-Pickbox-Offset", "0"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", ".pickbox%2Fblobs%2Fx", "X-Pickbox-Offset", "0"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "docs%2Fbig.bin", "X-Pickbox-Offset", "12"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "docs%2Fbig.bin", "X-Pickbox-Offset", "-1048576"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "docs%2Fbig.bin", "X-Pickbox-Offset", "one"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "docs%2Fbig.bin"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Offset", "0"), 400);
        assertError(peer1.get(path), 404);
        assertThat(snapshot()).isEqualTo(before);

        // A directory that does not exist here yet is not created for it: the chunk is a blob only.
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "not%2Fyet%2Fbig.bin", "X-Pickbox-Offset", "1048576"), 400);
        assertError(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "not%2Fyet%2Fbig.bin", "X-Pickbox-Offset", "1048576",
                "X-Pickbox-Size", "1048576"), 400); // past the file's end
        assertThat(peer1.call("PUT", path, type, chunk, "X-Pickbox-Path", "not%2Fyet%2Fbig.bin", "X-Pickbox-Offset", "1048576",
                "X-Pickbox-Size", "2097152").statusCode()).isEqualTo(204);
        assertThat(peer1.get(path).statusCode()).isEqualTo(200);
        assertThat(snapshot()).isEqualTo(before);
    }

    /**
     * A node keeps one copy of a large file, the file: a peer asking for one of its chunks names the
     * file and offset, and gets it read from there, only while the file holds it.
     */
    @Test
    void aChunkIsServedFromTheFileThatHoldsItWhenThePeerSaysWhere() throws Exception {
        int mib = 1 << 20;
        byte[] content = ItSupport.randomBytes(2 * mib + 5, 12);
        ItSupport.write(n1.file("docs/two.bin"), content);
        awaitContent(cluster.nodes(), "docs/two.bin", content, T);
        byte[] second = java.util.Arrays.copyOfRange(content, mib, 2 * mib);
        String path = "/v1/blobs/" + ItSupport.sha256(second);
        for (MemberHttp node : List.of(peer1, new MemberHttp(n2, n1))) {
            assertError(node.get(path), 404); // no blob of it on either node
            HttpResponse<byte[]> back = node.getBytes(path + "?path=docs%2Ftwo.bin&offset=" + mib);
            assertThat(back.statusCode()).as("from " + node).isEqualTo(200);
            assertThat(back.body()).as("from " + node).isEqualTo(second);
            assertError(node.get(path + "?path=docs%2Ftwo.bin&offset=0"), 404); // not at that offset
            assertError(node.get(path + "?path=docs%2Ftwo.bin&offset=12"), 400);
            assertError(node.get(path + "?path=..%2Fescape.bin&offset=0"), 400);
            assertError(node.get(path + "?path=docs%2Ftwo.bin"), 400);
        }
        // Once the file changes there, that node no longer serves the old chunk.
        byte[] edited = content.clone();
        edited[mib + 1] ^= 1;
        ItSupport.write(n1.file("docs/two.bin"), edited);
        assertError(peer1.get(path + "?path=docs%2Ftwo.bin&offset=" + mib), 404);
        awaitContent(cluster.nodes(), "docs/two.bin", edited, T);
    }

    @Test
    void unknownMembersAre404() throws Exception {
        assertError(call(a1, "DELETE", "/v1/cluster/members/ghost", null, null), 404);
        assertError(postJson(a1, "/v1/cluster/leader", "{\"id\": \"ghost\"}"), 404);
        assertError(call(a1, "DELETE", "/v1/cluster/members/..%2Fx", null, null), 400);
    }

    @Test
    void crossOriginAndForeignHostRequestsChangeNothing() throws Exception {
        String before = snapshot();
        byte[] form = "id=evil&address=10.0.0.1%3A8001".getBytes();
        HttpResponse<String> r = call(a1, "POST", "/v1/cluster/members", "application/x-www-form-urlencoded", form,
                "Origin", "http://evil.example");
        assertThat(r.statusCode()).isIn(403, 415);
        r = call(a1, "POST", "/v1/cluster/members", "application/x-www-form-urlencoded", form);
        assertThat(r.statusCode()).isEqualTo(415);
        r = call(a1, "POST", "/v1/cluster/leader", "text/plain", "{\"id\":\"node2\"}".getBytes());
        assertThat(r.statusCode()).isEqualTo(415);
        r = call(a1, "PUT", "/v1/files/evil.txt", "application/octet-stream", "evil".getBytes(), "Origin", "http://evil.example");
        assertThat(r.statusCode()).isEqualTo(403);
        r = call(a1, "DELETE", "/v1/files/docs/readme.txt", null, null, "Origin", "http://evil.example");
        assertThat(r.statusCode()).isEqualTo(403);
        r = call(a1, "PUT", "/v1/files/evil.txt", "multipart/form-data; boundary=x", "--x--".getBytes());
        assertThat(r.statusCode()).isEqualTo(415);
        // A page served from another name that resolves here (DNS rebinding): wrong Host.
        assertThat(rawStatus(a1, "GET /v1/status HTTP/1.1\r\nHost: evil.example\r\n")).isEqualTo(403);
        assertThat(rawStatus(a1, "PUT /v1/files/evil.txt HTTP/1.1\r\nHost: evil.example:" + n1.adminPort
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 4\r\n\r\nevil")).isEqualTo(403);
        // Same-origin (the dashboard) is fine.
        r = call(a1, "PUT", "/v1/files/same-origin.txt", "application/octet-stream", "ok".getBytes(), "Origin", "http://" + a1);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        call(a1, "DELETE", "/v1/files/same-origin.txt", null, null);
        awaitGone(cluster.nodes(), "same-origin.txt", T);
        cluster.awaitConverged(T);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(n1.file("evil.txt")).doesNotExist();
    }

    @Test
    void conflictsEndpointListsCopiesWithOrigin() throws Exception {
        JsonNode c = json(get(a1, "/v1/conflicts")).path("entries");
        assertThat(c.isArray()).isTrue();
        for (JsonNode e : c) assertThat(e.has("conflictOf") && e.has("origin")).isTrue();
    }

    @Test
    void dashboardAndAssetsAreServed() throws Exception {
        HttpResponse<String> page = get(a1, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/web/app.js");
        assertThat(get(a1, "/web/app.js").statusCode()).isEqualTo(200);
        assertThat(get(a1, "/web/style.css").statusCode()).isEqualTo(200);
        assertThat(get(a1, "/web/..%2F..%2Fpom.xml").statusCode()).isIn(400, 404);
        assertError(get(a1, "/web/secret.txt"), 404);
    }

    @Test
    void tokenIsEnforcedOnEveryEndpoint() throws Exception {
        int[] ports = TestPorts.free(2);
        Path dir = base.resolve("secured");
        String token = "s3cret-token";
        NodeConfig cfg = NodeConfig.builder("secure1", ports[0]).adminPort(ports[1]).dataDir(dir).adminToken(token).build();
        try (Node node = new Node(cfg)) {
            node.start();
            String a = "127.0.0.1:" + ports[1];
            String auth = "Bearer " + token;
            await().atMost(T).until(() -> get(a, "/v1/health", "Authorization", auth).statusCode() == 200);
            for (String path : List.of("/v1/status", "/v1/health", "/v1/ready", "/v1/files", "/v1/files/x", "/v1/conflicts",
                    "/metrics", "/v1/events?since=0", "/v1/blobs/" + "0".repeat(64))) {
                assertError(get(a, path), 401);
                assertError(get(a, path, "Authorization", "Bearer wrong"), 401);
                assertError(get(a, path + (path.contains("?") ? "&" : "?") + "token=wrong"), 401);
            }
            assertThat(get(a, "/metrics", "Authorization", auth).statusCode()).isEqualTo(200);
            // The dashboard's page holds no data: it loads without the token, to ask for it.
            assertThat(get(a, "/").statusCode()).isEqualTo(200);
            // A token in a URL is never accepted: URLs end up in logs, history and Referer headers.
            assertError(get(a, "/v1/status?token=" + token), 401);
            assertError(get(a, "/v1/events?since=0&token=" + token), 401);
            // Changes: no token, a wrong one, or a token in the URL change nothing.
            assertError(call(a, "PUT", "/v1/files/t.txt", "application/octet-stream", "x".getBytes()), 401);
            assertError(call(a, "PUT", "/v1/files/t.txt", "application/octet-stream", "x".getBytes(), "Authorization", "Bearer nope"), 401);
            assertError(call(a, "PUT", "/v1/files/t.txt?token=" + token, "application/octet-stream", "x".getBytes()), 401);
            assertError(call(a, "PUT", "/v1/blobs/" + ItSupport.sha256("x".getBytes()), "application/octet-stream", "x".getBytes()), 401);
            assertError(postJson(a, "/v1/cluster/leader", "{\"id\":\"secure1\"}"), 401);
            assertError(call(a, "DELETE", "/v1/cluster/members/secure1", null, null), 401);
            assertThat(dir.resolve("t.txt")).doesNotExist();
            assertThat(json(get(a, "/v1/files", "Authorization", auth)).path("entries")).isEmpty();
            HttpResponse<String> ok = call(a, "PUT", "/v1/files/t.txt", "application/octet-stream", "x".getBytes(), "Authorization", auth);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            await().atMost(T).until(() -> Files.exists(dir.resolve("t.txt")));
        }
    }

    @Test
    void adminPortBeyondLoopbackRequiresToken() throws Exception {
        int[] ports = TestPorts.free(2);
        NodeConfig cfg = NodeConfig.builder("open1", ports[0]).adminHost("0.0.0.0").adminPort(ports[1])
                .dataDir(base.resolve("open")).build();
        try (Node node = new Node(cfg)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(node::start).hasMessageContaining("--admin-token-file");
        }
    }

    /**
     * A node process gets its token through the environment, never its command line; bound to
     * every interface it answers to its advertised name but no other; the CLI reads the token from
     * a private file or the environment, and refuses it as an argument.
     */
    @Test
    void tokensTravelByFileOrEnvironmentAndAdvertisedNamesAreAccepted() throws Exception {
        int[] ports = TestPorts.free(3);
        String token = "proc-token-0123456789";
        // Peers dial the first advertised name: a name this machine resolves comes first.
        TestNode node = new TestNode("proc1", ports[0], ports[1], ports[2], base.resolve("proc1"), base.resolve("proc1.log"),
                NodeCommandLine.of(TestNode.jar()),
                b -> b.adminHost("0.0.0.0").advertise(List.of("127.0.0.1", "node1.lan")).adminToken(token), null);
        try {
            node.start();
            String a = node.adminAddress();
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains("-Dpickbox.node=proc1")) assertThat(cmd).doesNotContain(token);
            }
            String auth = "Authorization: Bearer " + token + "\r\n";
            assertThat(rawStatus(a, "GET /v1/health HTTP/1.1\r\nHost: node1.lan:" + ports[1] + "\r\n" + auth)).isEqualTo(200);
            assertThat(rawStatus(a, "GET /v1/health HTTP/1.1\r\nHost: other.lan:" + ports[1] + "\r\n" + auth)).isEqualTo(403);

            Path file = Files.writeString(base.resolve("proc1.token"), token + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            ItSupport.CliResult byFile = ItSupport.runCli("cluster", "status", "--admin", a, "--admin-token-file", file.toString());
            assertThat(byFile.exitCode()).as(byFile.output()).isZero();
            assertThat(byFile.output()).contains("proc1");
            assertThat(cliWithEnv(token, "cluster", "status", "--admin", a)).isZero();
            assertThat(cliWithEnv("wrong", "cluster", "status", "--admin", a)).isNotZero();

            ItSupport.CliResult none = ItSupport.runCli("cluster", "status", "--admin", a);
            assertThat(none.exitCode()).isNotZero();
            assertThat(none.output()).contains("401");
            ItSupport.CliResult argument = ItSupport.runCli("cluster", "status", "--admin", a, "--admin-token", token);
            assertThat(argument.exitCode()).isEqualTo(2);
            assertThat(argument.output()).contains("--admin-token-file").contains("PICKBOX_ADMIN_TOKEN");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            ItSupport.CliResult readable = ItSupport.runCli("cluster", "status", "--admin", a, "--admin-token-file", file.toString());
            assertThat(readable.exitCode()).isEqualTo(2);
            assertThat(readable.output()).contains("chmod 600");
        } finally {
            node.stop();
        }
        ItSupport.CliResult start = ItSupport.runCli("node", "start", "--node-id", "x", "--port", String.valueOf(ports[0]),
                "--data-dir", base.resolve("never").toString(), "--admin-token", token);
        assertThat(start.exitCode()).isEqualTo(2);
        assertThat(start.output()).contains("--admin-token-file");
        assertThat(base.resolve("never")).doesNotExist();
    }

    /** The CLI's exit code with {@code token} in its environment. */
    private static int cliWithEnv(String token, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ItSupport.cli(args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PICKBOX_ADMIN_TOKEN", token);
        Process p = pb.start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
