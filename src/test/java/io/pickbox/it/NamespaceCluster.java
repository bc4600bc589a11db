package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.cli.NodeCommandLine;
import io.pickbox.folder.FolderComparison;
import io.pickbox.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of real node processes, one per host of {@link NetworkNamespaces}, each binding its
 * host's address (Raft and admin API; the same ports on every host): node {@code a} on host 1
 * bootstraps, the others join through it one at a time. The admin API binds beyond loopback, so
 * it needs a token; peers fetch and push chunks of large files through each other's admin API
 * with that token, so every node has the same one.
 */
final class NamespaceCluster implements AutoCloseable {

    static final int RAFT_PORT = 8001;
    static final int ADMIN_PORT = 9001;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final NetworkNamespaces hosts;
    private final Path base;
    private final String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final List<NamespaceNode> nodes = new ArrayList<>();
    /** Nodes a test starts itself on the spare hosts (strangers, late joiners); stopped and logged with the others. */
    private final List<NamespaceNode> spares = new ArrayList<>();

    private NamespaceCluster(NetworkNamespaces hosts, Path base) {
        this.hosts = hosts;
        this.base = base;
    }

    /**
     * Starts {@code size} nodes on as many new hosts and waits until each is healthy and lists
     * every member. Skips the calling test where network namespaces are unavailable.
     */
    static NamespaceCluster start(Path base, int size) throws Exception {
        return start(base, size, 0);
    }

    /**
     * Starts {@code size} nodes as {@link #start(Path, int)} does, on a network with {@code spareHosts}
     * more hosts where nothing runs until a test starts a node there ({@link #spare}).
     */
    static NamespaceCluster start(Path base, int size, int spareHosts) throws Exception {
        NetworkNamespaces.assumeAvailable();
        NamespaceCluster cluster = new NamespaceCluster(NetworkNamespaces.create(size + spareHosts), base);
        try {
            for (int i = 1; i <= size; i++) {
                NamespaceNode n = cluster.newNode(i);
                cluster.nodes.add(n);
                cluster.start(n, i == 1 ? null : cluster.nodes.get(0).raftAddress());
            }
            for (NamespaceNode n : cluster.nodes) cluster.awaitMembers(n, size);
            return cluster;
        } catch (Throwable t) {
            cluster.printLogs(System.err);
            cluster.close();
            throw t;
        }
    }

    private NamespaceNode newNode(int host) throws IOException {
        return newNode(host, String.valueOf((char) ('a' + host - 1)));
    }

    private NamespaceNode newNode(int host, String id) throws IOException {
        Path dir = Files.createDirectories(base.resolve(id));
        return new NamespaceNode(id, host, hosts.address(host), dir, base.resolve(id + ".log"), adminToken);
    }

    /** Node {@code id} on spare host {@code host}, with its own folder; not started, and not one of {@link #nodes()}. */
    NamespaceNode spare(int host, String id) throws IOException {
        if (host <= nodes.size()) throw new IllegalArgumentException("host " + host + " runs " + nodes.get(host - 1));
        NamespaceNode n = newNode(host, id);
        spares.add(n);
        return n;
    }

    /**
     * The one place a node process is started: {@code pickbox node start} on its host, bound to the
     * host's address, joining through {@code join} (null: bootstrap, or recover with state). A node
     * that joins for the first time brings an invite made on the first node, as an operator would.
     */
    void start(NamespaceNode n, String join) throws Exception {
        String invite = join != null && !Files.exists(n.dir.resolve(".pickbox/tls/node.pem")) ? invite(nodes.get(0), false) : null;
        start(n, join, invite);
    }

    /** Starts {@code n} as {@link #start(NamespaceNode, String)} does, with the invite given (null: none). */
    void start(NamespaceNode n, String join, String invite) throws Exception {
        start(n, config(n, join, invite));
        awaitHealthy(n);
    }

    /** The configuration {@code n} starts with, joining through {@code join} (null: none) with {@code invite} (null: none). */
    NodeConfig config(NamespaceNode n, String join, String invite) throws IOException {
        return NodeConfig.builder(n.id, RAFT_PORT).host(n.address).adminHost(n.address).adminPort(ADMIN_PORT)
                .adminToken(adminToken).adminTokenFile(adminTokenFile()).dataDir(n.dir).join(join)
                .security(new NodeConfig.Security(false, invite, null, null, null, null)).build();
    }

    /** Starts the node process of {@code config} on {@code n}'s host, without waiting. */
    void start(NamespaceNode n, NodeConfig config) throws Exception {
        ProcessBuilder pb = NodeCommandLine.of(TestNode.jar()).processBuilder(config);
        pb.command(hosts.exec(n.host, pb.command()));
        n.process = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile())).start();
    }

    /** A one-time invite made on {@code member}, as `pickbox cluster invite` makes it. */
    String invite(NamespaceNode member, boolean learner) throws Exception {
        return invite(member, learner, Duration.ofMinutes(10));
    }

    /** A one-time invite made on {@code member} that expires after {@code expires} (whole seconds). */
    String invite(NamespaceNode member, boolean learner, Duration expires) throws Exception {
        var answer = member.postJson("/v1/cluster/invites", "{\"expiresSeconds\": " + expires.toSeconds() + ", \"learner\": " + learner + "}");
        if (answer.statusCode() != 200) throw new IOException("no invite from " + member + ": " + answer.body());
        return AdminHttp.json(answer).path("token").asText();
    }

    /** The admin token in a file only its owner reads, as operators keep it. */
    Path adminTokenFile() throws IOException {
        Path file = base.resolve("admin.token");
        if (!Files.exists(file)) {
            Files.writeString(file, adminToken);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /**
     * {@code n}'s status read by the CLI on its own host, where its admin API stays reachable while
     * the host is cut off.
     */
    JsonNode statusOnItsHost(NamespaceNode n) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("cluster", "status", "--json"));
        args.addAll(n.cliTarget(adminTokenFile()));
        List<String> cmd = hosts.exec(n.host, ItSupport.cli(args.toArray(String[]::new)));
        ItSupport.ProcResult r = ItSupport.exec(base, Duration.ofSeconds(60), cmd);
        if (r.exitCode() != 0) throw new IOException("cluster status on " + n + " exited with " + r.exitCode() + ": " + r.output());
        return AdminHttp.JSON.readTree(r.output());
    }

    void awaitHealthy(NamespaceNode n) {
        await("health of " + n).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            if (!n.running()) throw new IllegalStateException(n + " exited:\n" + n.tail(40));
            return n.get("/v1/health").statusCode() == 200;
        });
    }

    private void awaitMembers(NamespaceNode n, int size) {
        await("members seen by " + n).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertThat(n.status().path("members").size()).isEqualTo(size));
    }

    NetworkNamespaces hosts() {
        return hosts;
    }

    List<NamespaceNode> nodes() {
        return nodes;
    }

    /** The nodes made with {@link #spare}, in order. */
    List<NamespaceNode> spares() {
        return spares;
    }

    /** Node {@code id} ("a", "b", ...). */
    NamespaceNode node(String id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(id));
    }

    /** The others, in order. */
    List<NamespaceNode> except(NamespaceNode... excluded) {
        return nodes.stream().filter(n -> !Arrays.asList(excluded).contains(n)).toList();
    }

    void cut(NamespaceNode n) throws IOException {
        hosts.cut(n.host);
    }

    void heal(NamespaceNode n) throws IOException {
        hosts.heal(n.host);
    }

    /**
     * Waits until every one of {@code among} names the same leader, which is one of them and says
     * so itself, in a term after {@code afterTerm}; returns it.
     */
    NamespaceNode awaitLeader(List<NamespaceNode> among, long afterTerm, Duration timeout) {
        NamespaceNode[] found = new NamespaceNode[1];
        await("a leader among " + among).atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            NamespaceNode leader = null;
            for (NamespaceNode n : among) {
                var s = n.status();
                if ("leader".equals(s.path("role").asText()) && s.path("term").asLong() > afterTerm) leader = n;
            }
            if (leader == null) return false;
            for (NamespaceNode n : among) if (!leader.id.equals(n.status().path("leader").asText())) return false;
            found[0] = leader;
            return true;
        });
        return found[0];
    }

    /** Waits until every one of {@code on} holds every one of {@code files} (relative path -> content). */
    static void awaitFiles(List<NamespaceNode> on, Map<String, byte[]> files, Duration timeout) {
        await("files on " + on).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> {
                    for (NamespaceNode n : on) {
                        for (var f : files.entrySet()) {
                            assertThat(Files.readAllBytes(n.file(f.getKey()))).as(f.getKey() + " on " + n).isEqualTo(f.getValue());
                        }
                    }
                });
    }

    /** Waits until {@code on}'s folders are identical and none of them has a change pending. */
    static void awaitConverged(List<NamespaceNode> on, Duration timeout) {
        List<Path> dirs = on.stream().map(n -> n.dir).toList();
        await("convergence of " + on).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(FolderComparison.compare(dirs)).isEmpty();
                    for (NamespaceNode n : on) assertThat(n.status().path("pending").asInt()).as("pending on " + n).isZero();
                    assertThat(FolderComparison.compare(dirs)).isEmpty();
                });
    }

    /** Every node's log, its last lines, for a failed test. */
    void printLogs(java.io.PrintStream out) {
        for (NamespaceNode n : all()) {
            out.println("----- " + n + " (" + n.log + "), last lines:");
            out.println(n.tail(150));
        }
    }

    /** Stops every node, then removes the hosts. */
    @Override
    public void close() throws Exception {
        for (NamespaceNode n : all()) {
            try {
                n.stop();
            } catch (Exception e) {
                // the hosts' removal kills what is left
            }
        }
        hosts.close();
    }

    private List<NamespaceNode> all() {
        List<NamespaceNode> all = new ArrayList<>(nodes);
        all.addAll(spares);
        return all;
    }

    @Override
    public String toString() {
        return nodes + " on " + hosts;
    }
}
