package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.index.Entry;
import io.pickbox.index.HistoryStatus;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.HistoryVersion.Ending;
import io.pickbox.index.RestoreReport;
import io.pickbox.sync.PathReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history endpoints behind the real server and its guard, over a history held in memory: the
 * shapes of the answers, paging, and that a bad request is refused before anything is proposed.
 */
class HistoryRoutesTest {

    private static final String TOKEN = "history-routes-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long T1 = Instant.parse("2026-12-04T10:15:03.250Z").toEpochMilli();
    private static final long T2 = T1 + 60_000;
    private static final long T3 = T2 + 60_000;

    @TempDir
    Path uploads;
    private AdminServer server;
    private int port;
    private final MemoryHistory history = new MemoryHistory();

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new AdminServer(new AdminSettings("127.0.0.1", port, List.of(), TOKEN, uploads), unused(ClusterView.class),
                null, unused(TrustActions.class), unused(LocalState.class), unused(FileService.class), history,
                path -> new PathReport("absent", "not on disk", null, false), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static <T> T unused(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    private static Entry file(long version, long committedAt, String sha, String origin) {
        return new Entry(Entry.Kind.FILE, version, 5, sha, List.of(sha), 0644, committedAt, origin, null, committedAt);
    }

    /** A history in memory that records what was asked of it. */
    private static final class MemoryHistory implements HistoryService {
        final List<HistoryVersion> versions = new ArrayList<>();
        final List<HistoryVersion> deleted = new ArrayList<>();
        final List<String> asked = Collections.synchronizedList(new ArrayList<>());
        RuntimeException refuse;
        HistoryStatus status = new HistoryStatus(30, 0, 1 << 30, 1234, 7, T1, T3);

        @Override
        public List<HistoryVersion> versions(String path, int limit) {
            return versions.stream().filter(v -> v.path().equals(path)).limit(limit).toList();
        }

        @Override
        public List<HistoryVersion> trash(String prefix, String after, int limit) {
            List<HistoryVersion> out = new ArrayList<>();
            boolean past = after == null;
            for (HistoryVersion v : deleted) {
                if (past && (prefix.isEmpty() || v.path().startsWith(prefix + "/"))) out.add(v);
                if (v.cursor().equals(after)) past = true;
            }
            return out.stream().limit(limit).toList();
        }

        @Override
        public HistoryStatus status() {
            return status;
        }

        @Override
        public CompletableFuture<RestoreReport> restoreVersion(String path, long version, String to) {
            asked.add("version " + path + " " + version + " " + to);
            if (refuse != null) throw refuse;
            return CompletableFuture.completedFuture(new RestoreReport(1, 0, 0, 0, 0, null));
        }

        @Override
        public CompletableFuture<RestoreReport> restoreTree(String path, long atMillis) {
            asked.add("tree " + path + " " + atMillis);
            if (refuse != null) return CompletableFuture.failedFuture(refuse);
            return CompletableFuture.completedFuture(new RestoreReport(10, 2, 1, 3, 0, null));
        }

        @Override
        public CompletableFuture<HistoryStatus> configure(int days, long maxBytes) {
            asked.add("configure " + days + " " + maxBytes);
            status = new HistoryStatus(days < 0 ? status.days() : days, maxBytes < 0 ? status.maxBytesSetting() : maxBytes,
                    maxBytes <= 0 ? status.maxBytes() : maxBytes, status.bytes(), status.versions(), status.restorableSince(), T3);
            return CompletableFuture.completedFuture(status);
        }

        @Override
        public CompletableFuture<HistoryStatus> purge(long beforeMillis) {
            asked.add("purge " + beforeMillis);
            status = new HistoryStatus(status.days(), status.maxBytesSetting(), status.maxBytes(), 0, 1, beforeMillis, T3);
            return CompletableFuture.completedFuture(status);
        }
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null, "Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", path, "application/json", json, "Authorization", "Bearer " + TOKEN);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void aFilesVersionsNewestFirstWithHowEachEnded() throws Exception {
        history.versions.add(new HistoryVersion("docs/a b.txt", file(9, T3, "c3", "node1"), 0, null, Ending.CURRENT, null));
        history.versions.add(new HistoryVersion("docs/a b.txt", file(5, T2, "b2", "node2"), T3, "node1", Ending.EDITED, null));
        history.versions.add(new HistoryVersion("docs/a b.txt", file(2, T1, "a1", "node2"), T2, "node2", Ending.RESTORED, null));

        HttpResponse<String> r = get("/v1/history/docs/a%20b.txt");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("path").asText()).isEqualTo("docs/a b.txt");
        assertThat(body.path("versions").findValuesAsText("version")).containsExactly("9", "5", "2");
        JsonNode current = body.path("versions").get(0);
        assertThat(current.path("current").asBoolean()).isTrue();
        assertThat(current.path("ending").asText()).isEqualTo("current");
        assertThat(current.path("endedAt").isNull()).isTrue();
        JsonNode edited = body.path("versions").get(1);
        assertThat(edited.path("current").asBoolean()).isFalse();
        assertThat(edited.path("committedAt").asText()).isEqualTo("2026-12-04T10:16:03.250Z");
        assertThat(edited.path("endedAt").asText()).isEqualTo("2026-12-04T10:17:03.250Z");
        assertThat(edited.path("ending").asText()).isEqualTo("edited");
        assertThat(edited.path("endedBy").asText()).isEqualTo("node1");
        assertThat(edited.path("node").asText()).isEqualTo("node2");
        assertThat(edited.path("sha256").asText()).isEqualTo("b2");
        assertThat(edited.path("mode").asText()).isEqualTo("0644");
        assertThat(edited.path("kind").asText()).isEqualTo("file");
        assertThat(edited.path("size").asLong()).isEqualTo(5);
        assertThat(edited.has("movedTo")).isTrue();

        assertThat(json(get("/v1/history/docs/a%20b.txt?limit=1")).path("versions")).hasSize(1);
        assertThat(get("/v1/history/docs/a%20b.txt?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void aPathWithNoVersionIsA404AndABadPathA400() throws Exception {
        HttpResponse<String> none = get("/v1/history/never/here.txt");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(json(none).path("detail").asText()).contains("never/here.txt");
        for (String bad : List.of("/v1/history/..%2Fetc%2Fpasswd", "/v1/history/a%00b", "/v1/history/%C3%28")) {
            assertThat(get(bad).statusCode()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void theTrashIsPagedByCursor() throws Exception {
        for (int i = 0; i < 5; i++) {
            history.deleted.add(new HistoryVersion("docs/f" + i + ".txt", file(10 + i, T1, "s" + i, "node2"), T3 - i, "node3",
                    Ending.DELETED, null));
        }
        history.deleted.add(new HistoryVersion("other/g.txt", file(3, T1, "g", "node2"), T1, "node1", Ending.DELETED, null));

        JsonNode first = json(get("/v1/trash?prefix=docs&limit=2"));
        assertThat(first.path("entries").findValuesAsText("path")).containsExactly("docs/f0.txt", "docs/f1.txt");
        JsonNode e = first.path("entries").get(0);
        assertThat(e.path("version").asLong()).isEqualTo(10);
        assertThat(e.path("deletedAt").asText()).isEqualTo(HistoryRoutes.time(T3));
        assertThat(e.path("node").asText()).isEqualTo("node3");
        assertThat(e.path("size").asLong()).isEqualTo(5);
        assertThat(e.path("kind").asText()).isEqualTo("file");
        String next = first.path("next").asText();
        assertThat(next).isEqualTo(history.deleted.get(1).cursor());

        JsonNode rest = json(get("/v1/trash?prefix=docs&limit=10&after=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(rest.path("entries").findValuesAsText("path")).containsExactly("docs/f2.txt", "docs/f3.txt", "docs/f4.txt");
        assertThat(rest.path("next").isNull()).isTrue();
        assertThat(json(get("/v1/trash")).path("entries")).hasSize(6);

        assertThat(get("/v1/trash?after=docs%2Ff1.txt").statusCode()).isEqualTo(400);
        assertThat(get("/v1/trash?prefix=..%2Fx").statusCode()).isEqualTo(400);
        assertThat(get("/v1/trash?limit=10001").statusCode()).isEqualTo(400);
    }

    @Test
    void aRestoreAnswersWhatItDid() throws Exception {
        HttpResponse<String> one = post("/v1/restore", "{\"path\": \"docs/a.txt\", \"version\": 5, \"to\": \"docs/a.old.txt\"}");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(json(one).path("restored").asLong()).isEqualTo(1);
        HttpResponse<String> tree = post("/v1/restore", "{\"path\": \"docs\", \"at\": \"2026-12-04T10:15:03.250Z\"}");
        assertThat(tree.statusCode()).as(tree.body()).isEqualTo(200);
        assertThat(tree.body()).isEqualTo("{\"restored\":10,\"unchanged\":2,\"kept\":1,\"newer\":3,\"conflicts\":0}");
        assertThat(history.asked).containsExactly("version docs/a.txt 5 docs/a.old.txt", "tree docs " + T1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"path\": \"docs/a.txt\"}",
            "{\"path\": \"docs/a.txt\", \"version\": 5, \"at\": 1000}",
            "{\"path\": \"docs\", \"at\": 1000, \"to\": \"x\"}",
            "{\"path\": \"../outside\", \"version\": 5}",
            "{\"path\": \"docs\", \"at\": \"last tuesday\"}",
            "{\"path\": \"docs/a.txt\", \"version\": \"five\"}",
            "[1, 2]",
            "{not json",
    })
    void aBadRestoreIsA400AndProposesNothing(String body) throws Exception {
        HttpResponse<String> r = post("/v1/restore", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("detail").asText()).isNotBlank();
        assertThat(history.asked).isEmpty();
    }

    @Test
    void whatTheHistoryRefusesIsA400WithItsMessage() throws Exception {
        history.refuse = new IllegalArgumentException("no version 99 of docs/a.txt is kept (see: pickbox history docs/a.txt)");
        HttpResponse<String> thrown = post("/v1/restore", "{\"path\": \"docs/a.txt\", \"version\": 99}");
        assertThat(thrown.statusCode()).isEqualTo(400);
        assertThat(json(thrown).path("detail").asText()).isEqualTo(history.refuse.getMessage());
        history.refuse = new IllegalArgumentException("the history reaches back to 2026-12-01T00:00:00Z only");
        HttpResponse<String> failed = post("/v1/restore", "{\"path\": \"\", \"at\": 1000}");
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(json(failed).path("detail").asText()).isEqualTo(history.refuse.getMessage());
    }

    @Test
    void changesAreGuardedAsEveryOtherChange() throws Exception {
        String body = "{\"path\": \"docs/a.txt\", \"version\": 5}";
        assertThat(send("POST", "/v1/restore", "application/json", body).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/restore", "text/plain", body, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(415);
        assertThat(send("POST", "/v1/restore", "application/octet-stream", body, "Authorization", "Bearer " + TOKEN).statusCode())
                .isEqualTo(415);
        assertThat(send("POST", "/v1/restore", "application/json", body, "Authorization", "Bearer " + TOKEN,
                "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/v1/history/purge", "application/json", "{\"before\": 5}").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/history/docs/a.txt", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/trash", null, null).statusCode()).isEqualTo(401);
        assertThat(history.asked).isEmpty();
    }

    @Test
    void settingsAndPurgeAnswerTheStatusAfter() throws Exception {
        JsonNode before = json(get("/v1/history"));
        assertThat(before.path("enabled").asBoolean()).isTrue();
        assertThat(before.path("days").asInt()).isEqualTo(30);
        assertThat(before.path("bytes").asLong()).isEqualTo(1234);
        assertThat(before.path("restorableSince").asText()).isEqualTo("2026-12-04T10:15:03.250Z");

        HttpResponse<String> set = post("/v1/history/settings", "{\"days\": 7, \"maxBytes\": 1000000}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).path("days").asInt()).isEqualTo(7);
        assertThat(json(set).path("maxBytesSetting").asLong()).isEqualTo(1_000_000);
        assertThat(post("/v1/history/settings", "{\"days\": -2}").statusCode()).isEqualTo(400);

        HttpResponse<String> purged = post("/v1/history/purge", "{\"before\": \"2026-12-04T10:17:03.250Z\"}");
        assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
        assertThat(json(purged).path("bytes").asLong()).isZero();
        assertThat(post("/v1/history/purge", "{}").statusCode()).isEqualTo(400);
        assertThat(history.asked).containsExactly("configure 7 1000000", "purge " + T3);
    }
}
