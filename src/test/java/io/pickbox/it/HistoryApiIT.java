package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pickbox.it.AdminHttp.json;
import static io.pickbox.it.AdminHttp.postJson;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Version history and restore as a user reaches them, on a 3-node cluster: {@code /v1/history},
 * {@code /v1/trash} and {@code POST /v1/restore} on any node, bad requests refused with nothing
 * changed, and the {@code history}, {@code restore} and {@code trash} commands of the real CLI.
 * The history settings are the cluster's, so the test that changes them and purges runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryApiIT {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
    }

    private TestNode node(int i) {
        return cluster.node(i);
    }

    /** Writes {@code content} at {@code rel} in node {@code i}'s folder and waits until every node has it. */
    private void write(int i, String rel, String content) throws Exception {
        TestCluster.write(node(i).file(rel), content);
        awaitContent(cluster.nodes(), rel, content, T);
    }

    private static JsonNode versions(TestNode n, String rel) throws Exception {
        HttpResponse<String> r = n.get("/v1/history/" + rel);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).path("versions");
    }

    /** Waits until every node lists {@code count} versions of {@code rel}, the same on all; answers them. */
    private JsonNode awaitVersions(String rel, int count) {
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(T).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            seen.clear();
            for (TestNode n : cluster.nodes()) seen.add(versions(n, rel));
            assertThat(seen.get(0)).as(rel + ": " + seen.get(0)).hasSize(count);
            for (JsonNode other : seen) assertThat(other).isEqualTo(seen.get(0));
        });
        return seen.get(0);
    }

    private static String sha(String content) {
        return ItSupport.sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> restore(TestNode n, String body) throws Exception {
        return postJson(n.adminAddress(), "/v1/restore", body);
    }

    private static ItSupport.CliResult cli(String... args) throws Exception {
        ItSupport.CliResult r = ItSupport.runCli(args);
        assertThat(r.exitCode()).as("pickbox " + String.join(" ", args) + "\n" + r.output()).isZero();
        return r;
    }

    /** The CLI's JSON output: from its first brace (a JVM may print a warning before it). */
    private static JsonNode cliJson(ItSupport.CliResult r) throws Exception {
        return AdminHttp.JSON.readTree(r.output().substring(r.output().indexOf('{')));
    }

    @Test
    @Order(1)
    void everyNodeListsTheVersionsOfAFileAndTheFirstComesBack() throws Exception {
        String rel = "docs/report.txt";
        write(0, rel, "first draft");
        write(0, rel, "second draft");
        write(0, rel, "third draft");

        JsonNode v = awaitVersions(rel, 3);
        assertThat(v.findValuesAsText("sha256")).containsExactly(sha("third draft"), sha("second draft"), sha("first draft"));
        assertThat(v.findValuesAsText("ending")).containsExactly("current", "edited", "edited");
        assertThat(v.get(0).path("current").asBoolean()).isTrue();
        assertThat(v.get(1).path("current").asBoolean()).isFalse();
        assertThat(v.findValuesAsText("node")).containsOnly(node(0).id());
        assertThat(v.get(1).path("endedBy").asText()).isEqualTo(node(0).id());
        assertThat(v.get(2).path("size").asLong()).isEqualTo("first draft".length());
        List<Instant> committed = v.findValuesAsText("committedAt").stream().map(Instant::parse).toList();
        assertThat(committed.get(0)).isAfter(committed.get(1));
        assertThat(committed.get(1)).isAfter(committed.get(2));
        assertThat(v.get(2).path("endedAt").asText()).isEqualTo(v.get(1).path("committedAt").asText());
        assertThat(json(node(1).get("/v1/history/" + rel + "?limit=1")).path("versions")).hasSize(1);

        long first = v.get(2).path("version").asLong();
        HttpResponse<String> r = restore(node(2), "{\"path\": \"" + rel + "\", \"version\": " + first + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("restored").asLong()).isEqualTo(1);
        assertThat(json(r).path("conflicts").asLong()).isZero();
        awaitContent(cluster.nodes(), rel, "first draft", T);

        JsonNode after = awaitVersions(rel, 4);
        assertThat(after.get(0).path("sha256").asText()).isEqualTo(sha("first draft"));
        assertThat(after.get(0).path("node").asText()).isEqualTo(node(2).id());
        assertThat(after.get(1).path("sha256").asText()).isEqualTo(sha("third draft"));
        assertThat(after.get(1).path("ending").asText()).isEqualTo("restored");
        cluster.awaitConverged(T);
    }

    @Test
    @Order(2)
    void aDeletedFileIsInTheTrashAndComesBack() throws Exception {
        String rel = "docs/old/notes.txt";
        write(1, rel, "notes worth keeping");
        Files.delete(node(1).file(rel));
        awaitGone(cluster.nodes(), rel, T);

        JsonNode[] entry = new JsonNode[1];
        await().atMost(T).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            JsonNode page = json(node(2).get("/v1/trash?prefix=docs"));
            entry[0] = null;
            for (JsonNode e : page.path("entries")) if (e.path("path").asText().equals(rel)) entry[0] = e;
            assertThat(entry[0]).as(page.toString()).isNotNull();
        });
        assertThat(entry[0].path("node").asText()).isEqualTo(node(1).id());
        assertThat(entry[0].path("size").asLong()).isEqualTo("notes worth keeping".length());
        assertThat(entry[0].path("kind").asText()).isEqualTo("file");
        assertThat(Instant.parse(entry[0].path("deletedAt").asText())).isBeforeOrEqualTo(Instant.now().plusSeconds(5));
        assertThat(json(node(0).get("/v1/trash?prefix=elsewhere")).path("entries")).isEmpty();

        HttpResponse<String> r = restore(node(0), "{\"path\": \"" + rel + "\", \"version\": " + entry[0].path("version").asLong() + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("restored").asLong()).isEqualTo(1);
        awaitContent(cluster.nodes(), rel, "notes worth keeping", T);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> assertThat(json(node(2).get("/v1/trash?prefix=docs/old"))
                .path("entries").findValuesAsText("path")).doesNotContain(rel));
        cluster.awaitConverged(T);
    }

    @Test
    @Order(3)
    void badRestoresAreRefusedWith400AndChangeNothing() throws Exception {
        String rel = "docs/steady.txt";
        write(0, rel, "one");
        write(0, rel, "two");
        JsonNode before = awaitVersions(rel, 2);
        cluster.awaitConverged(T);
        Map<String, byte[]> folder = ItSupport.files(node(0).dir());
        long at = Instant.parse(before.get(1).path("committedAt").asText()).toEpochMilli();

        Map<String, String> refused = Map.of(
                "{\"path\": \"" + rel + "\", \"version\": 999999999}", "no version 999999999",
                "{\"path\": \"nothing/here.txt\", \"version\": 1}", "no version 1",
                "{\"path\": \"docs\", \"at\": 1000}", "",
                "{\"path\": \"../outside.txt\", \"version\": 1}", "invalid path",
                "{\"path\": \"/etc/passwd\", \"at\": " + at + "}", "invalid path",
                "{\"path\": \"" + rel + "\", \"version\": 1, \"at\": " + at + "}", "not both",
                "{\"path\": \"docs\", \"at\": " + at + ", \"to\": \"elsewhere\"}", "cannot be used with 'at'",
                "{\"path\": \"" + rel + "\"}", "give 'version'",
                "{\"path\": \"docs\", \"at\": \"last week\"}", "ISO-8601");
        int i = 0;
        for (var bad : refused.entrySet()) {
            HttpResponse<String> r = restore(node(i++ % 3), bad.getKey());
            assertThat(r.statusCode()).as(bad.getKey() + " -> " + r.body()).isEqualTo(400);
            assertThat(json(r).path("detail").asText()).as(bad.getKey()).isNotBlank().contains(bad.getValue());
        }
        HttpResponse<String> notJson = AdminHttp.call(node(1).adminAddress(), "POST", "/v1/restore", "text/plain",
                ("{\"path\": \"" + rel + "\", \"version\": 1}").getBytes(StandardCharsets.UTF_8));
        assertThat(notJson.statusCode()).isEqualTo(415);
        HttpResponse<String> foreign = AdminHttp.postJson(node(1).adminAddress(), "/v1/restore",
                "{\"path\": \"" + rel + "\", \"version\": 1}", "Origin", "http://attacker.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(node(0).get("/v1/history/never/committed.txt").statusCode()).isEqualTo(404);
        assertThat(node(0).get("/v1/history/..%2Fetc%2Fpasswd").statusCode()).isEqualTo(400);

        cluster.awaitConverged(T);
        assertThat(awaitVersions(rel, 2)).isEqualTo(before);
        assertThat(ItSupport.files(node(0).dir())).containsOnlyKeys(folder.keySet());
        for (String path : folder.keySet()) assertThat(ItSupport.files(node(2).dir()).get(path)).as(path).isEqualTo(folder.get(path));
    }

    @Test
    @Order(4)
    void theCliListsVersionsRestoresThemAndListsTheTrash() throws Exception {
        String rel = "cli/plan.txt";
        write(0, rel, "plan A");
        write(0, rel, "plan B");
        awaitVersions(rel, 2);

        JsonNode history = cliJson(cli("history", rel, "--json", "--admin", node(1).adminAddress()));
        assertThat(history.path("path").asText()).isEqualTo(rel);
        assertThat(history.path("versions")).hasSize(2);
        long planA = history.path("versions").get(1).path("version").asLong();
        String table = cli("history", rel, "--admin", node(2).adminAddress()).output();
        assertThat(table).contains("WHAT HAPPENED").contains("current").contains("edited by " + node(0).id())
                .contains(sha("plan A").substring(0, 12)).contains(String.valueOf(planA));

        JsonNode restored = cliJson(cli("restore", rel, "--version", String.valueOf(planA), "--json", "--admin", node(1).adminAddress()));
        assertThat(restored.path("restored").asLong()).isEqualTo(1);
        awaitContent(cluster.nodes(), rel, "plan A", T);
        String copy = cli("restore", rel, "--version", String.valueOf(planA), "--to", "cli/plan.old.txt",
                "--admin", node(2).adminAddress()).output();
        assertThat(copy).contains("restored 1, unchanged 0, kept 0 (changed since), left 0 (created after), conflicts 0");
        awaitContent(cluster.nodes(), "cli/plan.old.txt", "plan A", T);

        write(2, "cli/gone.txt", "soon deleted");
        Files.delete(node(2).file("cli/gone.txt"));
        awaitGone(cluster.nodes(), "cli/gone.txt", T);
        JsonNode[] trash = new JsonNode[1];
        await().atMost(T).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            trash[0] = cliJson(cli("trash", "ls", "cli", "--json", "--admin", node(0).adminAddress()));
            assertThat(trash[0].path("entries").findValuesAsText("path")).contains("cli/gone.txt");
        });
        JsonNode gone = null;
        for (JsonNode e : trash[0].path("entries")) if (e.path("path").asText().equals("cli/gone.txt")) gone = e;
        assertThat(gone.path("node").asText()).isEqualTo(node(2).id());
        assertThat(cli("trash", "ls", "--admin", node(1).adminAddress()).output()).contains("cli/gone.txt").contains(node(2).id());
        cli("restore", "cli/gone.txt", "--version", gone.path("version").asText(), "--admin", node(0).adminAddress());
        awaitContent(cluster.nodes(), "cli/gone.txt", "soon deleted", T);

        // A subtree back to a time between two edits: the edited file goes back, the deleted one comes back, the new one stays.
        write(0, "cli/tree/a.txt", "a1");
        write(0, "cli/tree/b.txt", "b1");
        JsonNode b = awaitVersions("cli/tree/b.txt", 1);
        Instant between = Instant.parse(b.get(0).path("committedAt").asText()).plusMillis(1);
        write(1, "cli/tree/a.txt", "a2");
        Files.delete(node(1).file("cli/tree/b.txt"));
        awaitGone(cluster.nodes(), "cli/tree/b.txt", T);
        write(1, "cli/tree/c.txt", "c1");
        JsonNode tree = cliJson(cli("restore", "cli/tree/", "--at", between.toString(), "--json", "--admin", node(2).adminAddress()));
        assertThat(tree.path("restored").asLong()).as(tree.toString()).isEqualTo(2);
        assertThat(tree.path("newer").asLong()).as(tree.toString()).isEqualTo(1);
        awaitContent(cluster.nodes(), "cli/tree/a.txt", "a1", T);
        awaitContent(cluster.nodes(), "cli/tree/b.txt", "b1", T);
        awaitContent(cluster.nodes(), "cli/tree/c.txt", "c1", T);

        ItSupport.CliResult unknown = ItSupport.runCli("restore", rel, "--version", "999999999", "--admin", node(0).adminAddress());
        assertThat(unknown.exitCode()).as(unknown.output()).isEqualTo(1);
        assertThat(unknown.output()).contains("400").contains("no version 999999999");
        ItSupport.CliResult badTime = ItSupport.runCli("restore", "cli", "--at", "next tuesday", "--admin", node(0).adminAddress());
        assertThat(badTime.exitCode()).as(badTime.output()).isEqualTo(2);
        assertThat(badTime.output()).contains("cannot read the time \"next tuesday\"");
        ItSupport.CliResult missing = ItSupport.runCli("history", "cli/never.txt", "--admin", node(0).adminAddress());
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
        assertThat(missing.output()).contains("404");
        cluster.awaitConverged(T);
    }

    @Test
    @Order(5)
    void settingsAreTheClustersAndAPurgeGivesTheSpaceBack() throws Exception {
        JsonNode shown = cliJson(cli("history", "settings", "--json", "--admin", node(0).adminAddress()));
        assertThat(shown.path("enabled").asBoolean()).isTrue();
        assertThat(shown.path("versions").asLong()).isPositive();

        JsonNode set = cliJson(cli("history", "settings", "--days", "45", "--max-bytes", "2G", "--json", "--admin", node(0).adminAddress()));
        assertThat(set.path("days").asInt()).isEqualTo(45);
        assertThat(set.path("maxBytesSetting").asLong()).isEqualTo(2L << 30);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> assertThat(json(node(2).get("/v1/history")).path("days").asInt()).isEqualTo(45));
        assertThat(cli("history", "settings", "--admin", node(1).adminAddress()).output()).contains("kept 45 days within 2.0 GiB");

        String rel = "docs/report.txt";
        assertThat(versions(node(0), rel).size()).isGreaterThan(1);
        write(1, "purge/doomed.txt", "not for long");
        Files.delete(node(1).file("purge/doomed.txt"));
        awaitGone(cluster.nodes(), "purge/doomed.txt", T);
        await().atMost(T).ignoreExceptions().untilAsserted(() ->
                assertThat(json(node(0).get("/v1/trash?prefix=purge")).path("entries")).hasSize(1));
        Instant now = Instant.parse(json(node(0).get("/v1/history")).path("committedTime").asText()).plusMillis(1);
        ItSupport.CliResult purged = cli("history", "purge", "--before", now.toString(), "--admin", node(1).adminAddress());
        assertThat(purged.output()).contains("purged the versions replaced before");
        awaitVersions(rel, 1);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(json(n.get("/v1/trash?prefix=purge")).path("entries")).isEmpty();
        });
        HttpResponse<String> bad = postJson(node(0).adminAddress(), "/v1/history/settings", "{\"days\": -3}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(node(0).get("/v1/history")).path("days").asInt()).isEqualTo(45);
    }
}
