package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;

import io.pickbox.trust.ClusterTrustManager;
import io.pickbox.trust.Pem;
import io.pickbox.trust.RevocationList;
import io.pickbox.trust.Tls13Context;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link NamespaceCluster}: a node process on its own host (network namespace),
 * binding that host's address for Raft and for its admin API. Its folder is on the shared file
 * system, so a test reads and writes it directly; its admin API is reached over the bridge.
 */
final class NamespaceNode {

    final String id;
    /** The host (1..n) of {@link NetworkNamespaces} it runs on. */
    final int host;
    final String address;
    final Path dir;
    final Path log;
    private final String adminToken;
    private HttpClient https;
    Process process;

    NamespaceNode(String id, int host, String address, Path dir, Path log, String adminToken) {
        this.id = id;
        this.host = host;
        this.address = address;
        this.dir = dir;
        this.log = log;
        this.adminToken = adminToken;
    }

    String raftAddress() {
        return address + ":" + NamespaceCluster.RAFT_PORT;
    }

    String adminAddress() {
        return address + ":" + NamespaceCluster.ADMIN_PORT;
    }

    Path file(String rel) {
        return dir.resolve(rel);
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /**
     * A GET of its admin API over the bridge: HTTPS trusting the cluster's CA, as its admin API
     * serves other machines (plaintext only to its own).
     */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + adminAddress() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).build();
        return https().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A POST of JSON to its admin API, as {@link #get}. */
    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + adminAddress() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return https().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The CLI's options to reach its admin API from another host. */
    List<String> cliTarget(Path tokenFile) {
        return List.of("--admin", adminAddress(), "--admin-token-file", tokenFile.toString(), "--tls-ca", caFile().toString());
    }

    Path caFile() {
        return dir.resolve(".pickbox/tls/ca.pem");
    }

    private HttpClient https() throws IOException {
        if (https == null) {
            if (!Files.exists(caFile())) throw new IOException(id + " has no certificate yet");
            var cas = Pem.readCertificates(Files.readString(caFile()));
            https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .sslContext(Tls13Context.create(null, new ClusterTrustManager(cas, null, RevocationList.NONE))).build();
        }
        return https;
    }

    JsonNode status() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/status");
        if (r.statusCode() != 200) throw new IOException(id + ": /v1/status answered " + r.statusCode() + ": " + r.body());
        return AdminHttp.json(r);
    }

    String metrics() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    boolean isLeader() throws IOException, InterruptedException {
        return "leader".equals(status().path("role").asText());
    }

    /** Clean stop (SIGTERM), forced after 30 s. */
    void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        process = null;
    }

    /** The last {@code lines} lines of its log. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return id + "@" + address;
    }
}
