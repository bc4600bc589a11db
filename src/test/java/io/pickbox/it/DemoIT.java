package io.pickbox.it;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code pickbox demo}: three node processes that sync, and all stop with the demo process. */
class DemoIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void demoStartsThreeSyncingNodesAndStopsThemOnSigterm() throws Exception {
        // Each node's Raft, admin and peer ports are P+i, P+1000+i and P+2000+i.
        int p = TestPorts.block(3, 0, NodeConfig.ADMIN_PORT_OFFSET, NodeConfig.PEER_PORT_OFFSET);
        Path log = dir.resolve("demo.log");
        Path data = dir.resolve("data");
        Process demo = new ProcessBuilder(ItSupport.cli("demo", "--dir", data.toString(), "--base-port", String.valueOf(p)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            List<String> admins = List.of("127.0.0.1:" + (p + 1000), "127.0.0.1:" + (p + 1001), "127.0.0.1:" + (p + 1002));
            // A demo that exits fails the test at once (ignoreExceptions would turn that into a timeout).
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .failFast(() -> {
                        if (!demo.isAlive()) throw new AssertionError("demo exited with " + demo.exitValue());
                    })
                    .ignoreExceptions().until(() -> {
                        for (String a : admins) if (AdminHttp.get(a, "/v1/health").statusCode() != 200) return false;
                        return true;
                    });
            demo.descendants().forEach(children::add);
            assertThat(children.stream().filter(h -> h.info().commandLine().orElse("").contains("node start")).count())
                    .as("node processes started by the demo").isEqualTo(3);

            byte[] content = ItSupport.randomBytes(40_000, 3);
            ItSupport.write(data.resolve("node2/from-node2/hello.bin"), content);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
                for (String n : List.of("node1", "node3")) {
                    assertThat(Files.readAllBytes(data.resolve(n + "/from-node2/hello.bin"))).as("on " + n).isEqualTo(content);
                }
            });

            demo.destroy(); // SIGTERM
            assertThat(demo.waitFor(45, TimeUnit.SECONDS)).as("demo process exits after SIGTERM").isTrue();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (String a : admins) assertThat(AdminHttp.answers(a)).as("admin port " + a + " still answers").isFalse();
                for (ProcessHandle h : children) assertThat(h.isAlive()).as("node process " + h.pid() + " alive").isFalse();
            });
        } catch (AssertionError | RuntimeException e) {
            System.err.println("===== demo output (its nodes' logs included)\n" + Files.readString(log));
            throw e;
        } finally {
            if (demo.isAlive()) demo.destroyForcibly();
            for (ProcessHandle h : children) if (h.isAlive()) h.destroyForcibly();
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
