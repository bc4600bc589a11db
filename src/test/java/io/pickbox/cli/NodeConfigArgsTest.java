package io.pickbox.cli;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A config rendered as {@code node start} options and parsed back by the command is the same config. */
class NodeConfigArgsTest {

    @TempDir
    Path dir;

    private static NodeConfig parse(List<String> args) {
        return parse(args, Map.of());
    }

    /** The config {@code args} give in an environment of {@code env} (not this process's). */
    private static NodeConfig parse(List<String> args, Map<String, String> env) {
        NodeCommand.Start start = new NodeCommand.Start();
        start.adminToken.env = env;
        new CommandLine(start).parseArgs(args.toArray(String[]::new));
        return start.config();
    }

    private Path tokenFile(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("admin-token"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
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
    void everyFieldRoundTrips() throws Exception {
        NodeConfig config = NodeConfig.builder("n-2.x", 7002).host("10.0.0.2").adminHost("0.0.0.0").adminPort(7100)
                .dataDir(Path.of("/srv/folder")).stateDir(Path.of("/var/lib/pickbox")).join("10.0.0.1:7001")
                .bootstrap(true).snapshotEvery(20).segmentBytes(65536).verifyInterval(Duration.ofSeconds(2))
                .adminToken("secret").adminTokenFile(tokenFile("secret\n")).allowMassDelete(true)
                .advertise(List.of("node2.lan", "203.0.113.7", "2001:db8::2"))
                .history(new NodeConfig.History(7, 10L << 30, 250, Duration.ofMillis(1500))).build();
        assertThat(parse(config.toArgs())).isEqualTo(config);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void historyOptionsAreGivenOnlyWhenSetAndTakeSizesAndDurations() {
        NodeConfig plain = parse(List.of("--node-id", "node1", "--port", "8001"));
        assertThat(plain.history()).isEqualTo(NodeConfig.History.defaults());
        assertThat(plain.history().days()).as("not given: the cluster's setting stands").isNull();
        assertThat(plain.history().massChanges().files()).isEqualTo(1000);
        assertThat(plain.history().massChanges().window()).isEqualTo(Duration.ofSeconds(60));

        NodeConfig set = parse(List.of("--node-id", "node1", "--port", "8001", "--history-days", "0",
                "--history-max-bytes", "500MiB", "--mass-change-files", "50", "--mass-change-window", "5m"));
        assertThat(set.history()).isEqualTo(new NodeConfig.History(0, 500L << 20, 50, Duration.ofMinutes(5)));
        assertThat(set.toArgs()).containsSubsequence("--history-days", "0", "--history-max-bytes", String.valueOf(500L << 20),
                "--mass-change-files", "50", "--mass-change-window", "5m");
        assertThat(parse(set.toArgs())).isEqualTo(set);
    }

    @Test
    void onlyTheHistorySettingsGivenThatDifferFromTheClustersAreProposed() {
        NodeConfig.History none = NodeConfig.History.defaults();
        assertThat(none.changeFrom(30, 0)).isNull();
        NodeConfig.History days = new NodeConfig.History(14, null, 1000, Duration.ofSeconds(60));
        assertThat(days.changeFrom(30, 0)).isEqualTo(new NodeConfig.History.Change(14, -1));
        assertThat(days.changeFrom(14, 123)).as("as committed already").isNull();
        NodeConfig.History both = new NodeConfig.History(0, 10L << 30, 1000, Duration.ofSeconds(60));
        assertThat(both.changeFrom(30, 0)).isEqualTo(new NodeConfig.History.Change(0, 10L << 30));
        assertThat(both.changeFrom(0, 0)).isEqualTo(new NodeConfig.History.Change(-1, 10L << 30));
    }

    @Test
    void durationsAreReadAsOperatorsWriteThem() {
        assertThat(NodeConfig.History.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(NodeConfig.History.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(NodeConfig.History.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> NodeConfig.History.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badHistoryOptionsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--history-days", "-1")))
                .hasMessageContaining("--history-days");
        assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--mass-change-files", "0")))
                .hasMessageContaining("--mass-change-files");
        assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--mass-change-window", "10ms")))
                .hasMessageContaining("--mass-change-window");
        assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--history-max-bytes", "lots")))
                .hasMessageContaining("--history-max-bytes").hasMessageContaining("500M, 20G");
    }

    @Test
    void theTokenIsNeverAnArgumentNorPrinted() throws Exception {
        NodeConfig fromEnv = NodeConfig.builder("node1", 8001).adminToken("s3cret-value").build();
        assertThat(String.join(" ", fromEnv.toArgs())).doesNotContain("s3cret-value").doesNotContain("--admin-token");
        assertThat(fromEnv.toString()).doesNotContain("s3cret-value").contains("adminToken=(set)");
        assertThat(parse(fromEnv.toArgs(), Map.of(AdminTokenOption.ENV, "s3cret-value"))).isEqualTo(fromEnv);

        Path file = tokenFile("s3cret-value");
        NodeConfig fromFile = parse(List.of("--node-id", "node1", "--port", "8001", "--admin-token-file", file.toString()));
        assertThat(fromFile.adminToken()).isEqualTo("s3cret-value");
        assertThat(fromFile.toArgs()).containsSequence("--admin-token-file", file.toString()).doesNotContain("s3cret-value");
        assertThat(fromFile.toString()).doesNotContain("s3cret-value");
    }

    @Test
    void theTokenComesFromTheEnvironmentWithoutAFile() {
        List<String> args = List.of("--node-id", "node1", "--port", "8001");
        assertThat(parse(args, Map.of(AdminTokenOption.ENV, " from-env\n")).adminToken()).isEqualTo("from-env");
        assertThat(parse(args, Map.of()).adminToken()).isNull();
    }

    @Test
    void anAdminTokenArgumentIsRefused() {
        assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--admin-token", "x")))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--admin-token-file").hasMessageContaining(AdminTokenOption.ENV);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int exit = cli.execute("node", "start", "--node-id", "node1", "--port", "8001", "--admin-token", "x");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("use --admin-token-file FILE or the environment variable");
    }

    @Test
    void advertiseIsRepeatableOrCommaSeparated() {
        NodeConfig c = parse(List.of("--node-id", "node1", "--port", "8001", "--advertise", "node1.lan",
                "--advertise", "203.0.113.7,[2001:db8::1]"));
        assertThat(c.advertise()).containsExactly("node1.lan", "203.0.113.7", "[2001:db8::1]");
        assertThat(NodeConfig.builder("node1", 8001).build().advertise()).isEmpty();
        for (String bad : List.of("node1.lan:9001", "10.0.0.1:9001", "a b", "-x", "http://node1")) {
            assertThatThrownBy(() -> parse(List.of("--node-id", "node1", "--port", "8001", "--advertise", bad)))
                    .as(bad).hasMessageContaining("--advertise");
        }
    }
}
