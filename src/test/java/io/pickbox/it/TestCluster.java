package io.pickbox.it;

import io.pickbox.cli.NodeCommandLine;
import io.pickbox.folder.FolderComparison;
import io.pickbox.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real cluster on loopback with ports found free at run time: the one harness of the integration
 * tests. Nodes are configured as the command line configures them ({@link NodeConfig#builder}),
 * with the settings a test gives; node i has the folder {@code <base>/node<i>}.
 */
public final class TestCluster implements AutoCloseable {

    private final Path base;
    /** Null when the nodes run inside the test JVM. */
    private final NodeCommandLine processes;
    private final UnaryOperator<NodeConfig.Builder> settings;
    final List<TestNode> nodes = new ArrayList<>();

    private TestCluster(Path base, NodeCommandLine processes, UnaryOperator<NodeConfig.Builder> settings) {
        this.base = base;
        this.processes = processes;
        this.settings = settings;
    }

    /** Nodes run inside the test JVM (fast; no crash tests), with the default settings. */
    public static TestCluster inJvm(Path base, int size) throws Exception {
        return inJvm(base, size, UnaryOperator.identity());
    }

    /** Nodes run inside the test JVM with {@code settings} applied to each node's configuration. */
    public static TestCluster inJvm(Path base, int size, UnaryOperator<NodeConfig.Builder> settings) throws Exception {
        return new TestCluster(base, null, settings).startNodes(size);
    }

    /**
     * Every node is its own JVM process, started as production starts it (the options of
     * jvm.options), killable with SIGKILL; {@code jvmOptions} come after the production ones.
     */
    public static TestCluster processes(Path base, int size, String... jvmOptions) throws Exception {
        return new TestCluster(base, NodeCommandLine.of(TestNode.jar()).withJvmOptions(List.of(jvmOptions)),
                UnaryOperator.identity()).startNodes(size);
    }

    /** Processes as above, with {@code settings} applied to each node's configuration. */
    public static TestCluster processes(Path base, int size, UnaryOperator<NodeConfig.Builder> settings, String... jvmOptions)
            throws Exception {
        return new TestCluster(base, NodeCommandLine.of(TestNode.jar()).withJvmOptions(List.of(jvmOptions)), settings).startNodes(size);
    }

    private TestCluster startNodes(int size) throws Exception {
        for (int i = 0; i < size; i++) addNode();
        return this;
    }

    /** Starts one more node that joins through the first node (or bootstraps when it is the first). */
    public TestNode addNode() throws Exception {
        return addNode(nodes.isEmpty() ? null : nodes.get(0).raftAddress());
    }

    public TestNode addNode(String join) throws Exception {
        TestNode n = newNode();
        n.join = join;
        nodes.add(n);
        return n.start();
    }

    /** A node that is configured but not started (for tests that start several at once). */
    public TestNode newNode() throws IOException {
        int i = nodes.size() + 1;
        String id = "node" + i;
        int[] ports = TestPorts.free(3);
        return new TestNode(id, ports[0], ports[1], ports[2], base.resolve(id), base.resolve(id + ".log"), processes, settings,
                this::invite);
    }

    /** A one-time invite from the first running member (nodes of a TLS cluster join with one). */
    public String invite() {
        for (TestNode n : nodes) {
            if (!n.running()) continue;
            try {
                String token = n.config().adminToken();
                String[] auth = token == null ? new String[0] : new String[] {"Authorization", "Bearer " + token};
                var answer = AdminHttp.postJson(n.adminAddress(), "/v1/cluster/invites", "{\"expiresSeconds\": 600}", auth);
                if (answer.statusCode() != 200) throw new IllegalStateException(answer.statusCode() + " " + answer.body());
                return AdminHttp.json(answer).path("token").asText();
            } catch (Exception e) {
                throw new IllegalStateException("no invite from " + n + ": " + e, e);
            }
        }
        throw new IllegalStateException("no running member to invite a node");
    }

    public void register(TestNode n) {
        nodes.add(n);
    }

    /** The stopped node {@code n} with {@code more} settings, in its place in the cluster; not started. */
    public TestNode reconfigure(TestNode n, UnaryOperator<NodeConfig.Builder> more) {
        if (n.running()) throw new IllegalStateException(n + " is running");
        TestNode copy = n.with(more);
        nodes.set(nodes.indexOf(n), copy);
        return copy;
    }

    public TestNode node(int i) {
        return nodes.get(i);
    }

    public List<TestNode> nodes() {
        return nodes;
    }

    public List<TestNode> running() {
        return nodes.stream().filter(TestNode::running).collect(Collectors.toList());
    }

    /** Waits until every running node's folder is identical and nothing is pending. */
    public void awaitConverged(Duration timeout) {
        awaitConvergedUnder("", timeout);
    }

    public void awaitConverged() {
        awaitConverged(Duration.ofSeconds(60));
    }

    /** Waits until {@code rel} is identical in every running node's folder and nothing is pending. */
    public void awaitConvergedUnder(String rel, Duration timeout) {
        List<TestNode> live = running();
        List<Path> dirs = live.stream().map(n -> n.file(rel)).toList();
        await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
            assertThat(FolderComparison.compare(dirs)).isEmpty();
            for (TestNode n : live) assertThat(n.status().path("pending").asInt()).as("pending on " + n).isZero();
            assertThat(FolderComparison.compare(dirs)).isEmpty();
        });
    }

    /** Each node's count of applied ops, to compare with later. */
    public Map<TestNode, Long> appliedOps() throws Exception {
        Map<TestNode, Long> m = new HashMap<>();
        for (TestNode n : nodes) m.put(n, n.appliedOps());
        return m;
    }

    /**
     * The leader every running node names, waited for: an election may be under way (on a busy
     * machine a follower can miss a heartbeat between two tests).
     */
    public TestNode leader() {
        return ItSupport.awaitLeader(running(), Duration.ofSeconds(30));
    }

    /**
     * Stops every node at once, as machines shut down together: a node's stop takes about a second
     * (Ratis closing its server), and one after the other made that a few seconds per test.
     */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (TestNode n : nodes) {
            Thread t = new Thread(() -> {
                try {
                    n.stop();
                } catch (Exception e) {
                    // the others stop regardless
                }
            }, "stop-" + n.id());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
