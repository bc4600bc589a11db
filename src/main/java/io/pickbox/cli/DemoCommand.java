package io.pickbox.cli;

import io.pickbox.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a local cluster, one process per node, until Ctrl-C.",
                "Node i uses folder <dir>/node<i>, Raft port base+i-1 and admin port base+1000+i-1."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;
    @Option(names = "--base-port", defaultValue = "8001", description = "Raft port of node1 (default: ${DEFAULT-VALUE}).")
    int basePort;
    @Option(names = "--dir", defaultValue = "data", description = "Parent of the node folders (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 9) throw new IllegalArgumentException("--nodes must be between 1 and 9");
        List<Process> processes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(p -> {
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })));
        NodeCommandLine commandLine = NodeCommandLine.ofRunningJar();
        for (int i = 1; i <= nodes; i++) {
            Path folder = dir.resolve("node" + i);
            String join = i > 1 ? "127.0.0.1:" + basePort : null;
            // A node joining for the first time brings an invite from node1; later runs recover.
            boolean joins = join != null && !Files.exists(folder.resolve(".pickbox/tls/node.pem"));
            NodeConfig config = NodeConfig.builder("node" + i, basePort + i - 1).dataDir(folder).join(join)
                    .security(new NodeConfig.Security(false, joins ? invite(basePort) : null, null, null, null, null)).build();
            processes.add(commandLine.processBuilder(config).inheritIO().start());
            waitHealthy(config, processes.get(i - 1));
        }
        System.out.printf("%nPickbox demo: %d nodes running. Edit files in %s/node1..%d and watch them appear everywhere.%n",
                nodes, dir, nodes);
        System.out.println("Status: ./pickbox cluster status    Stop: Ctrl-C");
        for (Process p : processes) p.waitFor();
        return 0;
    }

    /** A one-time invite from node1, whose admin API is the first node's. */
    private static String invite(int basePort) throws IOException {
        AdminClient admin = new AdminClient("127.0.0.1:" + (basePort + NodeConfig.ADMIN_PORT_OFFSET), null);
        return admin.post("/v1/cluster/invites", java.util.Map.of("expiresSeconds", 600)).orThrow().path("token").asText();
    }

    private static void waitHealthy(NodeConfig config, Process p) throws Exception {
        AdminClient admin = new AdminClient(config.adminAddress(), null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IOException(config.nodeId() + " exited with " + p.exitValue());
            try {
                if (admin.get("/v1/health").ok()) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IOException(config.nodeId() + " did not become healthy at " + config.adminAddress());
    }
}
