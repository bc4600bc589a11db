package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.cli.NodeCommandLine;
import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * One node of a test cluster: either a {@link Node} in this JVM or a separate JVM process started
 * as production starts it ({@link NodeCommandLine}). Its {@link NodeConfig} is built here, from
 * the cluster's settings, and rendered as command-line options for a process.
 */
public final class TestNode {

    final String id;
    final int port;
    final int adminPort;
    final int peerPort;
    final Path dir;
    final Path log;
    /** Null for a node in this JVM. */
    final NodeCommandLine process;
    final UnaryOperator<NodeConfig.Builder> settings;
    String join;
    /** Asks the cluster for an invite when this node first joins (TLS clusters). */
    final Supplier<String> inviter;
    /** The invite this node joined with; kept, as an operator keeps the command that started it. */
    String invite;
    private Node node;
    private Process running;

    TestNode(String id, int port, int adminPort, int peerPort, Path dir, Path log, NodeCommandLine process,
             UnaryOperator<NodeConfig.Builder> settings, Supplier<String> inviter) {
        this.id = id;
        this.port = port;
        this.adminPort = adminPort;
        this.peerPort = peerPort;
        this.inviter = inviter;
        this.dir = dir;
        this.log = log;
        this.process = process;
        this.settings = settings;
    }

    /** The same node (id, ports, folder, log, join address) with {@code more} settings; not started. */
    TestNode with(UnaryOperator<NodeConfig.Builder> more) {
        TestNode copy = new TestNode(id, port, adminPort, peerPort, dir, log, process, b -> more.apply(settings.apply(b)), inviter);
        copy.join = join;
        copy.invite = invite;
        return copy;
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

    public NodeConfig config() {
        NodeConfig c = settings.apply(NodeConfig.builder(id, port).adminPort(adminPort).peerPort(peerPort).dataDir(dir).join(join)).build();
        if (invite == null || c.security().inviteToken() != null) return c;
        NodeConfig.Security s = c.security();
        return c.toBuilder().security(new NodeConfig.Security(s.insecure(), invite, s.tlsCert(), s.tlsKey(), s.tlsCa(), s.certLifetime())).build();
    }

    /** Whether this node joins a TLS cluster for the first time, and so needs an invite. */
    private boolean needsInvite() {
        NodeConfig c = config();
        return c.join() != null && c.security().inviteToken() == null && !c.security().insecure()
                && !c.security().externalPki() && !Files.exists(c.stateDir().resolve("tls").resolve("node.pem"));
    }

    /** Starts (or restarts) the node with the same configuration, and waits until it is healthy. */
    public TestNode start() throws Exception {
        if (process != null) {
            launch();
        } else {
            if (needsInvite() && inviter != null) invite = inviter.get();
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

    /** Starts the node's process and returns at once, for tests that act while it starts (processes only). */
    public TestNode launch() throws IOException {
        if (process == null) throw new IllegalStateException(id + " does not run as a process");
        if (needsInvite() && inviter != null) invite = inviter.get();
        running = processBuilder(process).start();
        return this;
    }

    /** This node as a process started by {@code commandLine}, its output appended to its log. */
    ProcessBuilder processBuilder(NodeCommandLine commandLine) throws IOException {
        return commandLine.processBuilder(config()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("pickbox.jar", "target/pickbox.jar"));
        if (!Files.exists(jar)) throw new IllegalStateException("build the jar first (mvn package): " + jar);
        return jar;
    }

    public void awaitHealthy() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    if (running != null && !running.isAlive()) throw new AssertionError(id + " exited: " + tail());
                    return get("/v1/health").statusCode() == 200;
                });
    }

    /** Clean stop (SIGTERM for a process). */
    public void stop() throws Exception {
        if (running != null) {
            running.destroy();
            if (!running.waitFor(30, TimeUnit.SECONDS)) running.destroyForcibly().waitFor();
            running = null;
        }
        if (node != null) {
            node.close();
            node = null;
        }
    }

    /** Crash: SIGKILL for a process (an in-JVM node can only be closed). */
    public void kill() throws Exception {
        if (running != null) {
            running.destroyForcibly().waitFor();
            running = null;
        } else {
            stop();
        }
    }

    /** The process id of a node run as a process. */
    public long pid() {
        if (running == null) throw new IllegalStateException(id + " does not run as a process");
        return running.pid();
    }

    public boolean running() {
        return running != null ? running.isAlive() : node != null;
    }

    /** A GET with the node's token, if it has one. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        String token = config().adminToken();
        return token == null ? AdminHttp.get(adminAddress(), path)
                : AdminHttp.get(adminAddress(), path, "Authorization", "Bearer " + token);
    }

    public JsonNode status() throws IOException, InterruptedException {
        return AdminHttp.json(get("/v1/status"));
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
