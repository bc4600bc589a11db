package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The history and restore endpoints of the admin API, as the integration tests call them:
 * {@code POST /v1/restore}, {@code GET /v1/history/{path}}, {@code GET /v1/trash},
 * {@code GET /v1/history}, {@code POST /v1/history/settings}, {@code POST /v1/history/purge};
 * and a node's blob store on disk, to measure what history costs.
 */
final class HistoryHttp {

    private HistoryHttp() {}

    // ---------------------------------------------------------------- restore

    /** A restore's request body: {@code path}, and {@code version}, {@code at} or {@code to} as the test adds them. */
    static ObjectNode restoreOf(String path) {
        return AdminHttp.JSON.createObjectNode().put("path", path);
    }

    /** {@code POST /v1/restore}, whatever its answer. */
    static HttpResponse<String> restore(TestNode n, ObjectNode body) throws IOException, InterruptedException {
        return post(n, "/v1/restore", body.toString());
    }

    /** {@code POST /v1/restore} that must succeed; its report {restored, unchanged, kept, newer, conflicts}. */
    static JsonNode restoreOk(TestNode n, ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = restore(n, body);
        assertThat(r.statusCode()).as("restore " + body + " on " + n + ": " + r.body()).isEqualTo(200);
        return AdminHttp.json(r);
    }

    /** The tree at {@code path} as it was at {@code atMillis} (sent as epoch milliseconds). */
    static JsonNode restoreTree(TestNode n, String path, long atMillis) throws IOException, InterruptedException {
        return restoreOk(n, restoreOf(path).put("at", atMillis));
    }

    /** Version {@code version} of {@code path} made current again. */
    static JsonNode restoreVersion(TestNode n, String path, long version) throws IOException, InterruptedException {
        return restoreOk(n, restoreOf(path).put("version", version));
    }

    // ---------------------------------------------------------------- history, trash, status

    /** {@code GET /v1/history/{path}}: {path, versions: [...]}, newest first. */
    static JsonNode history(TestNode n, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = n.get("/v1/history/" + encodePath(path));
        assertThat(r.statusCode()).as("history of " + path + " on " + n + ": " + r.body()).isEqualTo(200);
        return AdminHttp.json(r);
    }

    static List<JsonNode> versions(TestNode n, String path) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        history(n, path).path("versions").forEach(out::add);
        return out;
    }

    /** The version of {@code path} whose content has this hash (the newest such), or null. */
    static JsonNode versionWithContent(TestNode n, String path, byte[] content) throws IOException, InterruptedException {
        String sha = ItSupport.sha256(content);
        for (JsonNode v : versions(n, path)) {
            if (sha.equals(v.path("sha256").asText())) return v;
        }
        return null;
    }

    /** The current version of {@code path} (the one flagged current), or null. */
    static JsonNode current(TestNode n, String path) throws IOException, InterruptedException {
        for (JsonNode v : versions(n, path)) {
            if (v.path("current").asBoolean()) return v;
        }
        return null;
    }

    /** Every entry of {@code GET /v1/trash?prefix=}, page after page. */
    static List<JsonNode> trash(TestNode n, String prefix) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        String next = null;
        do {
            String query = "/v1/trash?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                    + (next == null ? "" : "&after=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            HttpResponse<String> r = n.get(query);
            assertThat(r.statusCode()).as("trash on " + n + ": " + r.body()).isEqualTo(200);
            JsonNode page = AdminHttp.json(r);
            page.path("entries").forEach(out::add);
            JsonNode more = page.path("next");
            String following = more.isMissingNode() || more.isNull() || more.asText().isEmpty() ? null : more.asText();
            if (following != null && following.equals(next)) throw new AssertionError("the trash's cursor does not move: " + next);
            next = following;
        } while (next != null);
        return out;
    }

    /** {@code GET /v1/history}: {days, maxBytesSetting, maxBytes, bytes, versions, restorableSince, committedTime}. */
    static JsonNode status(TestNode n) throws IOException, InterruptedException {
        HttpResponse<String> r = n.get("/v1/history");
        assertThat(r.statusCode()).as("history status on " + n + ": " + r.body()).isEqualTo(200);
        return AdminHttp.json(r);
    }

    /** The cluster's time as of the last entry the node applied, in epoch milliseconds. */
    static long committedTime(TestNode n) throws IOException, InterruptedException {
        return millis(status(n).path("committedTime"));
    }

    /**
     * The cluster's time now, as a node has it after everything written so far was committed: the
     * time a restore would name to get the folder as it is. Waits until this machine's clock is
     * past it by {@code gap}, so that whatever is committed next is stamped later than the time
     * returned plus half the gap, and a restore to that middle point is unambiguous.
     */
    static long noteTime(TestNode n, Duration gap) throws IOException, InterruptedException {
        long t = committedTime(n);
        assertThat(t).as("committed time on " + n).isPositive();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> System.currentTimeMillis() > t + gap.toMillis());
        return t + gap.toMillis() / 2;
    }

    /** {@code POST /v1/history/settings}: days and/or maxBytes (null: left as it is). */
    static JsonNode settings(TestNode n, Integer days, Long maxBytes) throws IOException, InterruptedException {
        ObjectNode body = AdminHttp.JSON.createObjectNode();
        if (days != null) body.put("days", days);
        if (maxBytes != null) body.put("maxBytes", maxBytes);
        HttpResponse<String> r = post(n, "/v1/history/settings", body.toString());
        assertThat(r.statusCode()).as("history settings " + body + " on " + n + ": " + r.body()).isEqualTo(200);
        return r.body().isBlank() ? AdminHttp.JSON.nullNode() : AdminHttp.json(r);
    }

    /** {@code POST /v1/history/purge {before}} (epoch milliseconds). */
    static JsonNode purge(TestNode n, long beforeMillis) throws IOException, InterruptedException {
        HttpResponse<String> r = post(n, "/v1/history/purge", AdminHttp.JSON.createObjectNode().put("before", beforeMillis).toString());
        assertThat(r.statusCode()).as("history purge on " + n + ": " + r.body()).isEqualTo(200);
        return r.body().isBlank() ? AdminHttp.JSON.nullNode() : AdminHttp.json(r);
    }

    // ---------------------------------------------------------------- plumbing

    /** A JSON POST with the node's token, if it has one. */
    static HttpResponse<String> post(TestNode n, String path, String json) throws IOException, InterruptedException {
        String token = n.config().adminToken();
        return token == null ? AdminHttp.postJson(n.adminAddress(), path, json)
                : AdminHttp.postJson(n.adminAddress(), path, json, "Authorization", "Bearer " + token);
    }

    /** A time as the API gives it: epoch milliseconds, or an ISO-8601 instant. */
    static long millis(JsonNode t) {
        if (t == null || t.isMissingNode() || t.isNull()) return 0;
        if (t.isNumber()) return t.asLong();
        String s = t.asText();
        if (s.isEmpty()) return 0;
        return s.chars().allMatch(Character::isDigit) ? Long.parseLong(s) : Instant.parse(s).toEpochMilli();
    }

    /** A folder path as the last part of a URL: each name percent-encoded, the slashes kept. */
    static String encodePath(String path) {
        StringBuilder b = new StringBuilder();
        for (String name : path.split("/", -1)) {
            if (b.length() > 0) b.append('/');
            b.append(URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- the blob store on disk

    static Path blobDir(TestNode n) {
        return n.config().stateDir().resolve("blobs");
    }

    /** Bytes of every file in the node's blob store (loose chunks and packs), as {@code du -b} counts them. */
    static long blobBytes(TestNode n) throws IOException {
        return ItSupport.filesWhileChanging(blobDir(n)).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether the node's blob store holds the chunk with this hash as a file of its own (full chunks are not packed). */
    static boolean holdsChunk(TestNode n, String sha256) {
        return Files.exists(blobDir(n).resolve(sha256.substring(0, 2)).resolve(sha256));
    }

    /** The SHA-256 of each 1 MiB chunk of {@code content}, as the blob store names them. */
    static List<String> chunkHashes(byte[] content) {
        List<String> out = new ArrayList<>();
        int chunk = io.pickbox.folder.Hashing.CHUNK_SIZE;
        for (int off = 0; off < content.length; off += chunk) {
            out.add(ItSupport.sha256(java.util.Arrays.copyOfRange(content, off, Math.min(content.length, off + chunk))));
        }
        return out;
    }

    /**
     * Makes every loose chunk of the node's blob store look written an hour ago. The store keeps an
     * unreferenced chunk for a grace period (ten minutes) in case an upload still needs it; a test
     * cannot wait that long, so it ages the chunks instead of the clock.
     */
    static void ageChunks(TestNode n) throws IOException {
        Path dir = blobDir(n);
        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        try (Stream<Path> shards = Files.list(dir)) {
            for (Path shard : shards.filter(p -> p.getFileName().toString().matches("[0-9a-f]{2}")).toList()) {
                try (Stream<Path> chunks = Files.list(shard)) {
                    for (Path c : chunks.toList()) {
                        try {
                            Files.setLastModifiedTime(c, hourAgo);
                        } catch (java.nio.file.NoSuchFileException gone) {
                            // collected meanwhile
                        }
                    }
                }
            }
        }
    }
}
