package io.pickbox.cli;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A config rendered as {@code node start} options and parsed back by the command is the same config. */
class NodeConfigArgsTest {

    private static NodeConfig parse(List<String> args) {
        NodeCommand.Start start = new NodeCommand.Start();
        new CommandLine(start).parseArgs(args.toArray(String[]::new));
        return start.config();
    }

    @Test
    void defaultsAreTheCommandLinesDefaults() {
        NodeConfig built = NodeConfig.builder("node1", 8001).build();
        assertThat(parse(List.of("--node-id", "node1", "--port", "8001"))).isEqualTo(built);
        assertThat(built.adminPort()).isEqualTo(9001);
        assertThat(built.dataDir()).isEqualTo(Path.of("data", "node1").toAbsolutePath());
        assertThat(built.stateDir()).isEqualTo(built.dataDir().resolve(".pickbox"));
        assertThat(built.verifyInterval()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void defaultConfigRoundTrips() {
        NodeConfig config = NodeConfig.builder("node1", 8001).dataDir(Path.of("/tmp/folder")).build();
        assertThat(config.toArgs()).containsExactly("--node-id", "node1", "--port", "8001", "--admin-port", "9001",
                "--data-dir", "/tmp/folder");
        assertThat(parse(config.toArgs())).isEqualTo(config);
    }

    @Test
    void everyFieldRoundTrips() {
        NodeConfig config = NodeConfig.builder("n-2.x", 7002).host("10.0.0.2").adminHost("0.0.0.0").adminPort(7100)
                .dataDir(Path.of("/srv/folder")).stateDir(Path.of("/var/lib/pickbox")).join("10.0.0.1:7001")
                .bootstrap(true).snapshotEvery(20).segmentBytes(65536).verifyInterval(Duration.ofSeconds(2))
                .adminToken("secret").allowMassDelete(true).build();
        assertThat(parse(config.toArgs())).isEqualTo(config);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }
}
