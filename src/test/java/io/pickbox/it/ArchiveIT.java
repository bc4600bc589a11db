package io.pickbox.it;

import io.pickbox.cli.NodeCommandLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The installable archive ({@code target/pickbox-<version>.tar.gz}), unpacked as an operator
 * unpacks it: its layout, and a node started by its own launcher from a configuration file, as the
 * systemd unit starts it, through a symlink as from {@code /usr/local/bin}.
 */
class ArchiveIT {

    /** The options the example configuration explains (optional ones commented out). */
    private static final List<String> EXAMPLE_KEYS = List.of("node-id", "host", "advertise", "port", "admin-port",
            "peer-port", "admin-host", "admin-token-file", "data-dir", "state-dir", "join", "token-file", "tls-cert", "tls-key",
            "tls-ca", "insecure", "history-days", "history-max-bytes", "mass-change-files", "mass-change-window", "log-level",
            "log-format");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static Path home;

    private Process node;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("pickbox.archive", "target/pickbox-0.1.0-SNAPSHOT.tar.gz"));
        assertThat(archive).as("build the archive first (mvn package)").isRegularFile();
        Path opt = Files.createDirectories(base.resolve("opt"));
        ItSupport.run(opt, "tar", "-xzf", archive.toAbsolutePath().toString());
        try (var top = Files.list(opt)) {
            List<Path> dirs = top.toList();
            assertThat(dirs).as("one top folder").hasSize(1);
            home = dirs.get(0);
        }
        assertThat(home.getFileName().toString()).isEqualTo(archive.getFileName().toString().replace(".tar.gz", ""));
    }

    @AfterEach
    void stopNode() throws InterruptedException {
        if (node != null && node.isAlive()) node.destroyForcibly().waitFor();
    }

    @Test
    void theArchiveHoldsTheLauncherTheApplicationTheConfigurationAndTheUnit() throws Exception {
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/pickbox")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.readString(home.resolve("bin/pickbox"))).startsWith("#!/bin/sh\n").doesNotContain("mvn");
        assertThat(home.resolve("lib/pickbox.jar")).isRegularFile();
        assertThat(home.resolve("conf/jvm.options")).hasSameTextualContentAs(Path.of("src/main/resources/jvm.options"));
        assertThat(home.resolve("README")).content().contains("systemctl enable --now pickbox@");

        String example = Files.readString(home.resolve("conf/pickbox.conf.example"));
        for (String key : EXAMPLE_KEYS) {
            assertThat(example).as("the example explains " + key).containsPattern("(?m)^#?" + key + " = ");
        }

        String unit = Files.readString(home.resolve("systemd/pickbox@.service"));
        assertThat(unit.lines()).contains("ExecStart=/opt/pickbox/bin/pickbox node start --config /etc/pickbox/%i.conf",
                "Restart=on-failure", "User=pickbox", "KillSignal=SIGTERM", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "PrivateTmp=yes", "LimitNOFILE=65536");
        assertThat(unit).containsPattern("(?m)^TimeoutStopSec=\\d+").containsPattern("(?m)^ReadWritePaths=/");
    }

    @Test
    void theExampleConfigurationNamesOnlyOptionsOfNodeStart() throws Exception {
        // --help runs nothing, but only after the file's keys have been checked.
        ItSupport.ProcResult r = launch(List.of("node", "start", "--config", home.resolve("conf/pickbox.conf.example").toString(), "--help"));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("--config=FILE");
    }

    @Test
    void aMissingConfigurationFileIsRefused() throws Exception {
        Path missing = base.resolve("etc/absent.conf");
        ItSupport.ProcResult r = launch(List.of("node", "start", "--config", missing.toString()));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("cannot read config file " + missing);
    }

    @Test
    void aNodeRunsFromTheArchiveWithItsConfigurationFile() throws Exception {
        int[] ports = TestPorts.free(3);
        Path folder = base.resolve("srv/node1");
        Path conf = Files.createDirectories(base.resolve("etc")).resolve("node1.conf");
        Files.writeString(conf, String.join("\n",
                "# as an operator writes it",
                "node-id = node1",
                "host = 127.0.0.1",
                "port = " + ports[0],
                "admin-port = " + ports[1],
                "peer-port = " + ports[2],
                "data-dir = " + folder,
                "state-dir = " + base.resolve("var/lib/pickbox/node1"),
                "log-level = INFO", ""));
        Path log = base.resolve("node1.log");
        node = processBuilder(List.of("node", "start", "--config", conf.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String admin = "127.0.0.1:" + ports[1];

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            if (!node.isAlive()) throw new AssertionError("the node exited: " + Files.readString(log));
            return AdminHttp.get(admin, "/v1/health").statusCode() == 200;
        });
        assertThat(AdminHttp.json(AdminHttp.get(admin, "/v1/status")).path("node").asText()).isEqualTo("node1");
        // The launcher became the JVM (exec: a SIGTERM reaches the node), with conf/jvm.options and capped arenas.
        List<String> jvm = List.of(Files.readString(Path.of("/proc", node.pid() + "", "cmdline")).split("\0"));
        assertThat(jvm).containsSubsequence(NodeCommandLine.jvmOptions()).contains("io.pickbox.cli.Main", "-Dpickbox.node=node1");
        assertThat(Files.readString(Path.of("/proc", node.pid() + "", "environ")).split("\0")).contains("MALLOC_ARENA_MAX=2");

        ItSupport.write(folder.resolve("installed.txt"), "from the archive".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> AdminHttp.get(admin, "/v1/files/installed.txt").statusCode() == 200);
        assertThat(base.resolve("var/lib/pickbox/node1")).as("the state where the file said").isNotEmptyDirectory();

        node.destroy();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("stopped by SIGTERM: " + Files.readString(log)).isTrue();
        // The JVM's status after a SIGTERM: the unit counts it as a success (SuccessExitStatus).
        assertThat(node.exitValue()).as(Files.readString(log)).isEqualTo(143);
        assertThat(Files.readString(log)).as("the node's log names it").contains("[node1]");
    }

    /**
     * {@code bin/pickbox ARGS} through a relative symlink in another folder, as an operator links it
     * into {@code /usr/local/bin}; the Java runtime is this test's, by {@code JAVA_HOME}.
     */
    private static ProcessBuilder processBuilder(List<String> args) throws IOException {
        Path link = base.resolve("usr/local/bin/pickbox");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, link.getParent().relativize(home.resolve("bin/pickbox")));
        }
        List<String> cmd = new ArrayList<>(List.of(link.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(base.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("PICKBOX_JAVA_OPTS");
        env.remove("MALLOC_ARENA_MAX");
        return pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    private static ItSupport.ProcResult launch(List<String> args) throws Exception {
        Path out = Files.createTempFile(base, "launch", ".out");
        Process p = processBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("pickbox " + String.join(" ", args) + " did not exit: " + Files.readString(out));
        }
        return new ItSupport.ProcResult(p.exitValue(), Files.readString(out));
    }
}
