package io.pickbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        for (int i = 1; i <= nodes; i++) {
            List<String> cmd = new ArrayList<>(javaCommand("node" + i));
            cmd.addAll(List.of("node", "start", "--node-id", "node" + i, "--port", String.valueOf(basePort + i - 1),
                    "--data-dir", dir.resolve("node" + i).toString()));
            if (i > 1) cmd.addAll(List.of("--join", "127.0.0.1:" + basePort));
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
            processes.add(pb.start());
            waitHealthy(basePort + 1000 + i - 1, processes.get(i - 1));
        }
        System.out.printf("%nPickbox demo: %d nodes running. Edit files in %s/node1..%d and watch them appear everywhere.%n",
                nodes, dir, nodes);
        System.out.println("Status: ./pickbox cluster status    Stop: Ctrl-C");
        for (Process p : processes) p.waitFor();
        return 0;
    }

    private static List<String> javaCommand(String nodeId) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(nodeJvmOptions());
        // The class-data archive ./pickbox makes next to the jar after each build: nodes start faster.
        java.io.File cds = Path.of(jar).resolveSibling("pickbox.jsa").toFile();
        if (cds.isFile() && cds.lastModified() >= new java.io.File(jar).lastModified()) {
            cmd.addAll(List.of("-XX:SharedArchiveFile=" + cds, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        cmd.addAll(List.of("-Dpickbox.node=" + nodeId, "-cp", jar, Main.class.getName()));
        return cmd;
    }

    /** The options every node runs with, from {@code jvm.options} (the file ./pickbox reads too). */
    static List<String> nodeJvmOptions() throws IOException {
        try (var in = DemoCommand.class.getResourceAsStream("/jvm.options")) {
            if (in == null) throw new IOException("jvm.options is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    private static void waitHealthy(int adminPort, Process p) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IOException("node on admin port " + adminPort + " exited with " + p.exitValue());
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/v1/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IOException("node on admin port " + adminPort + " did not become healthy");
    }
}
