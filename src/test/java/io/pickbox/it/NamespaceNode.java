package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpResponse;
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

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return AdminHttp.get(adminAddress(), path, "Authorization", "Bearer " + adminToken);
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
