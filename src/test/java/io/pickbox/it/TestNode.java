package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** One node of a test cluster: either a {@link Node} in this JVM or a separate JVM process. */
public final class TestNode {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    final String id;
    final int port;
    final int adminPort;
    final Path dir;
    final Path log;
    final boolean separateProcess;
    final List<String> extraArgs;
    final List<String> jvmArgs;
    String join;
    private Node node;
    private Process process;

    TestNode(String id, int port, int adminPort, Path dir, Path log, boolean separateProcess, List<String> extraArgs,
             List<String> jvmArgs) {
        this.id = id;
        this.port = port;
        this.adminPort = adminPort;
        this.dir = dir;
        this.log = log;
        this.separateProcess = separateProcess;
        this.extraArgs = extraArgs;
        this.jvmArgs = jvmArgs;
    }

    public String id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String rel) {
        return dir.resolve(rel);
    }

    public String raftAddress() {
        return "127.0.0.1:" + port;
    }

    public String adminAddress() {
        return "127.0.0.1:" + adminPort;
    }

    public Node node() {
        return node;
    }

    /** Starts (or restarts) the node with the same command, and waits until it is healthy. */
    public TestNode start() throws Exception {
        if (separateProcess) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmArgs);
            cmd.add("-Dpickbox.node=" + id);
            cmd.addAll(List.of("-jar", jar().toString()));
            cmd.addAll(args());
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } else {
            node = new Node(config());
            try {
                node.start();
            } catch (Exception e) {
                node.close();
                node = null;
                throw e;
            }
        }
        awaitHealthy();
        return this;
    }

    List<String> args() {
        List<String> a = new ArrayList<>(List.of("node", "start", "--node-id", id, "--port", String.valueOf(port),
                "--admin-port", String.valueOf(adminPort), "--data-dir", dir.toString()));
        if (join != null) a.addAll(List.of("--join", join));
        a.addAll(extraArgs);
        return a;
    }

    private NodeConfig config() {
        long snapshotEvery = NodeConfig.DEFAULT_SNAPSHOT_EVERY;
        long segment = NodeConfig.DEFAULT_SEGMENT_BYTES;
        Duration verify = Duration.ofSeconds(180);
        for (int i = 0; i < extraArgs.size() - 1; i++) {
            switch (extraArgs.get(i)) {
                case "--snapshot-every" -> snapshotEvery = Long.parseLong(extraArgs.get(i + 1));
                case "--segment-bytes" -> segment = Long.parseLong(extraArgs.get(i + 1));
                case "--verify-interval" -> verify = Duration.ofSeconds(Long.parseLong(extraArgs.get(i + 1)));
                default -> { }
            }
        }
        return new NodeConfig(id, "127.0.0.1", port, "127.0.0.1", adminPort, dir, null, join,
                extraArgs.contains("--bootstrap"), snapshotEvery, segment, verify, null, extraArgs.contains("--allow-mass-delete"));
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("pickbox.jar", "target/pickbox.jar"));
        if (!Files.exists(jar)) throw new IllegalStateException("build the jar first (mvn package): " + jar);
        return jar;
    }

    public void awaitHealthy() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    if (process != null && !process.isAlive()) throw new AssertionError(id + " exited: " + tail());
                    return get("/v1/health").statusCode() == 200;
                });
    }

    /** Clean stop (SIGTERM for a process). */
    public void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            process = null;
        }
        if (node != null) {
            node.close();
            node = null;
        }
    }

    /** Crash: SIGKILL for a process (an in-JVM node can only be closed). */
    public void kill() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        } else {
            stop();
        }
    }

    public boolean running() {
        return process != null ? process.isAlive() : node != null;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode status() throws IOException, InterruptedException {
        return JSON.readTree(get("/v1/status").body());
    }

    public long appliedOps() throws Exception {
        return status().path("appliedOps").asLong();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
