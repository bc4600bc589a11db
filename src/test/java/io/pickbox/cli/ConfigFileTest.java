package io.pickbox.cli;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --config FILE} on the real command tree: parsed, never run. */
class ConfigFileTest {

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();
    /** The commands a run would have executed, in place of running them. */
    private final List<Object> parsed = new ArrayList<>();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionStrategy(result -> {
            CommandLine.ParseResult leaf = result;
            while (leaf.hasSubcommand()) leaf = leaf.subcommand();
            parsed.add(leaf.commandSpec().userObject());
            return 0;
        });
        return ConfigFile.execute(cl, args);
    }

    private Path file(String... lines) throws IOException {
        Path f = tmp.resolve("node.conf");
        Files.write(f, List.of(lines));
        return f;
    }

    private NodeConfig startedWith(String... args) {
        assertThat(run(args)).as(err.toString()).isZero();
        assertThat(parsed).hasSize(1).first().isInstanceOf(NodeCommand.Start.class);
        return ((NodeCommand.Start) parsed.get(0)).config();
    }

    @Test
    void theFileGivesTheOptionsIncludingRequiredOnesAndFlags() throws IOException {
        Path conf = file("# a machine's node", "node-id = a", "port = 8101", "admin-port=9101  ",
                "host = 10.0.0.5", "data-dir = /srv/pickbox/folder", "state-dir: /var/lib/pickbox/a",
                "join = 10.0.0.1:8101", "", "bootstrap = true", "verify-interval = 30");
        NodeConfig config = startedWith("node", "start", "--config", conf.toString());
        assertThat(config).isEqualTo(NodeConfig.builder("a", 8101).adminPort(9101).host("10.0.0.5")
                .dataDir(Path.of("/srv/pickbox/folder")).stateDir(Path.of("/var/lib/pickbox/a")).join("10.0.0.1:8101")
                .bootstrap(true).verifyInterval(java.time.Duration.ofSeconds(30)).build());
    }

    @Test
    void theCommandLineWinsOverTheFile() throws IOException {
        Path conf = file("node-id = a", "port = 8101", "admin-host = 0.0.0.0");
        NodeConfig config = startedWith("node", "start", "--port", "8202", "--config=" + conf, "--node-id", "b");
        assertThat(config.nodeId()).isEqualTo("b");
        assertThat(config.port()).isEqualTo(8202);
        assertThat(config.adminHost()).isEqualTo("0.0.0.0");
        assertThat(config.adminPort()).as("the default computed from the winning port").isEqualTo(9202);
    }

    @Test
    void optionsWithoutAFileAreUnchanged() {
        NodeConfig config = startedWith("node", "start", "--node-id", "a", "--port", "8101");
        assertThat(config).isEqualTo(NodeConfig.builder("a", 8101).build());
    }

    @Test
    void everyCommandTakesAFile() throws IOException {
        Path conf = file("admin = 10.0.0.7:9101", "tls-ca = /etc/pickbox/ca.pem", "json = true");
        assertThat(run("cluster", "status", "--config", conf.toString())).as(err.toString()).isZero();
        ClusterCommand.Status status = (ClusterCommand.Status) parsed.get(0);
        assertThat(status.admin).isEqualTo("10.0.0.7:9101");
        assertThat(status.tlsCa).isEqualTo(Path.of("/etc/pickbox/ca.pem"));
        assertThat(status.asJson).isTrue();
    }

    @Test
    void anUnknownKeyIsRefusedNamingTheKeyAndTheFile() throws IOException {
        Path conf = file("node-id = a", "port = 8101", "admin-hots = 0.0.0.0");
        assertThat(run("node", "start", "--config", conf.toString())).isEqualTo(2);
        assertThat(parsed).as("nothing runs").isEmpty();
        assertThat(err.toString()).contains("config file " + conf).contains("unknown option 'admin-hots'")
                .contains("pickbox node start");
    }

    @Test
    void anOptionOfAnotherCommandIsUnknownToThisOne() throws IOException {
        Path conf = file("node-id = a", "port = 8101");
        assertThat(run("cluster", "status", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown options 'node-id', 'port'");
    }

    @Test
    void helpVersionAndConfigCannotComeFromAFile() throws IOException {
        for (String key : List.of("help", "version", "config")) {
            Path conf = file("node-id = a", "port = 8101", key + " = true");
            assertThat(run("node", "start", "--config", conf.toString())).as(key).isEqualTo(2);
            assertThat(err.toString()).contains("unknown option '" + key + "'");
        }
        assertThat(parsed).isEmpty();
    }

    @Test
    void aMissingFileIsRefused() {
        Path missing = tmp.resolve("absent.conf");
        assertThat(run("node", "start", "--config", missing.toString())).isEqualTo(2);
        assertThat(parsed).isEmpty();
        assertThat(err.toString()).contains("cannot read config file " + missing + ": no such file");
    }

    @Test
    void aDirectoryIsRefused() {
        assertThat(run("node", "start", "--config", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read config file " + tmp);
    }

    @Test
    void aBadValueIsAUsageError() throws IOException {
        Path conf = file("node-id = a", "port = eighty");
        assertThat(run("node", "start", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--port").contains("eighty");
    }

    @Test
    void helpShowsTheDefaultsAndTheOption() throws IOException {
        Path conf = file("node-id = a", "port = 8101");
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        assertThat(ConfigFile.execute(cl, "node", "start", "--config", conf.toString(), "--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE").contains("(default: 127.0.0.1)").doesNotContain("${");
    }

    @Test
    void aValueIsTakenAsWritten() throws IOException {
        Path conf = file("node-id = a", "port = 8101", "data-dir = x${sys:user.home}$${y}$z");
        assertThat(startedWith("node", "start", "--config", conf.toString()).dataDir().getFileName().toString())
                .isEqualTo("x${sys:user.home}$${y}$z");
    }

    @Test
    void findReadsBothSpellingsAndStopsAtTheEndOfOptions() {
        assertThat(ConfigFile.find("node", "start", "--config", "a.conf")).isEqualTo(Path.of("a.conf"));
        assertThat(ConfigFile.find("node", "start", "--config=b.conf", "--port", "1")).isEqualTo(Path.of("b.conf"));
        assertThat(ConfigFile.find("files", "put", "--", "--config", "x")).isNull();
        assertThat(ConfigFile.find("node", "start")).isNull();
        assertThatThrownBy(() -> ConfigFile.find("node", "start", "--config")).hasMessageContaining("--config needs a FILE");
    }

    @Test
    void theOptionIsDeclaredOnEveryCommandThatRuns() {
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        ConfigFile.execute(cl, "--version");
        assertThat(cl.getSubcommands().get("node").getSubcommands().get("start").getCommandSpec().findOption("--config")).isNotNull();
        assertThat(cl.getSubcommands().get("files").getSubcommands().get("put").getCommandSpec().findOption("--config")).isNotNull();
        assertThat(cl.getSubcommands().get("demo").getCommandSpec().findOption("--config")).isNotNull();
        assertThat(cl.getCommandSpec().findOption("--config")).as("not on groups of commands").isNull();
    }
}
