package io.pickbox.cli;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The one command line of a node, and the launcher's reading of jvm.options beside it. */
class NodeCommandLineTest {

    @TempDir
    Path dir;

    private static final String OPTIONS = """
            # a comment
            -Xmx256m

              -XX:+UseG1GC \s
               # an indented comment
            -Dwith=a value
            """;

    @Test
    void optionsAreOnePerLineWithoutCommentsAndBlanks() {
        assertThat(NodeCommandLine.parseOptions(OPTIONS)).containsExactly("-Xmx256m", "-XX:+UseG1GC", "-Dwith=a value");
    }

    @Test
    void theLauncherReadsJvmOptionsTheSameWay() throws Exception {
        Path file = Files.writeString(dir.resolve("jvm.options"), OPTIONS);
        // The launcher's own function, run on its own.
        String launcher = Files.readString(Path.of("pickbox"));
        int start = launcher.indexOf("jvm_options() {");
        String function = launcher.substring(start, launcher.indexOf("\n}\n", start) + 3);
        Process p = new ProcessBuilder("bash", "-c", function + "jvm_options \"$1\"", "bash", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().toList()).isEqualTo(NodeCommandLine.parseOptions(OPTIONS));
        assertThat(NodeCommandLine.jvmOptions())
                .isEqualTo(NodeCommandLine.parseOptions(Files.readString(Path.of("src/main/resources/jvm.options"))));
    }

    @Test
    void commandRunsTheJarWithTheNodesOptionsThenTheConfigsArguments() throws Exception {
        Path jar = Files.writeString(dir.resolve("pickbox.jar"), "not a real jar");
        NodeConfig config = NodeConfig.builder("node2", 7002).dataDir(dir.resolve("n2")).join("127.0.0.1:7001").build();
        List<String> cmd = NodeCommandLine.of(jar).withJvmOptions(List.of("-Xmx128m")).command(config);

        assertThat(cmd.get(0)).endsWith("/bin/java");
        List<String> jvm = NodeCommandLine.jvmOptions();
        assertThat(cmd.subList(1, 1 + jvm.size())).isEqualTo(jvm);
        assertThat(cmd).doesNotContain("-Xlog:cds=off");
        int jarAt = cmd.indexOf("-jar");
        assertThat(cmd.subList(jarAt - 2, jarAt)).containsExactly("-Xmx128m", "-Dpickbox.node=node2");
        assertThat(cmd.subList(jarAt, jarAt + 4)).containsExactly("-jar", jar.toString(), "node", "start");
        assertThat(cmd.subList(jarAt + 4, cmd.size())).isEqualTo(config.toArgs());
    }

    @Test
    void aClassDataArchiveBesideTheJarIsUsedOnlyWhenNewerThanTheJar() throws Exception {
        Path jar = Files.writeString(dir.resolve("pickbox.jar"), "jar");
        Path archive = Files.writeString(dir.resolve("pickbox.jsa"), "archive");
        NodeConfig config = NodeConfig.builder("n", 7000).dataDir(dir.resolve("n")).build();

        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        assertThat(NodeCommandLine.of(jar).command(config)).contains("-XX:SharedArchiveFile=" + archive);

        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 1000));
        assertThat(NodeCommandLine.of(jar).command(config)).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void processesGetCompactMallocArenas() throws Exception {
        NodeConfig config = NodeConfig.builder("n", 7000).dataDir(dir.resolve("n")).build();
        ProcessBuilder pb = NodeCommandLine.of(dir.resolve("pickbox.jar")).processBuilder(config);
        assertThat(pb.environment()).containsKey("MALLOC_ARENA_MAX");
    }

    @Test
    void theTokenReachesTheNodeThroughItsFileOrTheEnvironmentNeverTheCommandLine() throws Exception {
        Path jar = Files.writeString(dir.resolve("pickbox.jar"), "not a real jar");
        NodeConfig config = NodeConfig.builder("node1", 7001).dataDir(dir.resolve("n1")).adminToken("t0ken-value").build();
        ProcessBuilder pb = NodeCommandLine.of(jar).processBuilder(config);
        assertThat(String.join(" ", pb.command())).doesNotContain("t0ken-value");
        assertThat(pb.environment()).containsEntry(AdminTokenOption.ENV, "t0ken-value");

        Path file = dir.resolve("token");
        NodeConfig fromFile = config.toBuilder().adminTokenFile(file).build();
        ProcessBuilder withFile = NodeCommandLine.of(jar).processBuilder(fromFile);
        assertThat(withFile.command()).containsSequence("--admin-token-file", file.toString());
        assertThat(withFile.environment()).doesNotContainKey(AdminTokenOption.ENV);

        NodeConfig none = NodeConfig.builder("node1", 7001).dataDir(dir.resolve("n1")).build();
        assertThat(NodeCommandLine.of(jar).processBuilder(none).environment()).doesNotContainKey(AdminTokenOption.ENV);
    }
}
