package io.pickbox.it;

import io.pickbox.folder.FolderComparison;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real cluster on loopback with ports found free at run time. */
public final class TestCluster implements AutoCloseable {

    private final Path base;
    private final boolean processes;
    private final List<String> extraArgs;
    private final List<String> jvmArgs;
    final List<TestNode> nodes = new ArrayList<>();

    private TestCluster(Path base, boolean processes, List<String> extraArgs, List<String> jvmArgs) {
        this.base = base;
        this.processes = processes;
        this.extraArgs = extraArgs;
        this.jvmArgs = jvmArgs;
    }

    /** Nodes run inside the test JVM (fast; no crash tests). */
    public static TestCluster inJvm(Path base, int size, String... extraArgs) throws Exception {
        return new TestCluster(base, false, List.of(extraArgs), List.of()).startNodes(size);
    }

    /** Every node is its own JVM process, killable with SIGKILL. */
    public static TestCluster processes(Path base, int size, List<String> jvmArgs, String... extraArgs) throws Exception {
        return new TestCluster(base, true, List.of(extraArgs), jvmArgs).startNodes(size);
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
        int[] ports = freePorts(2);
        return new TestNode(id, ports[0], ports[1], base.resolve(id), base.resolve(id + ".log"), processes, extraArgs, jvmArgs);
    }

    public void register(TestNode n) {
        nodes.add(n);
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
        List<TestNode> live = running();
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            assertThat(FolderComparison.compare(live.stream().map(TestNode::dir).toList())).isEmpty();
            for (TestNode n : live) assertThat(n.status().path("pending").asInt()).as("pending on " + n).isZero();
            assertThat(FolderComparison.compare(live.stream().map(TestNode::dir).toList())).isEmpty();
        });
    }

    public void awaitConverged() {
        awaitConverged(Duration.ofSeconds(60));
    }

    public TestNode leader() throws Exception {
        for (TestNode n : running()) {
            if ("leader".equals(n.status().path("role").asText())) return n;
        }
        throw new AssertionError("no leader");
    }

    static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
        return ports;
    }

    @Override
    public void close() {
        for (TestNode n : nodes) {
            try {
                n.stop();
            } catch (Exception e) {
                // keep stopping the others
            }
        }
    }

    public static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
