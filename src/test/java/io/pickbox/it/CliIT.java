package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real {@code pickbox} CLI, run as a process against an in-JVM 3-node cluster. */
class CliIT {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base.resolve("cluster"), 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static ItSupport.CliResult ok(String... args) throws Exception {
        long t0 = System.nanoTime();
        ItSupport.CliResult r = ItSupport.runCli(args);
        System.err.printf("TEST: pickbox %s took %d ms%n", String.join(" ", args), (System.nanoTime() - t0) / 1_000_000);
        assertThat(r.exitCode()).as("exit code of pickbox " + String.join(" ", args) + "\n" + r.output()).isZero();
        return r;
    }

    @Test
    void putLsGetRmThroughDifferentNodes() throws Exception {
        byte[] content = ItSupport.randomBytes(150_000, 5);
        Path local = Files.write(base.resolve("report-local.txt"), content);
        ok("files", "put", local.toString(), "docs/report.txt", "--admin", cluster.node(1).adminAddress());
        ItSupport.awaitContent(cluster.nodes(), "docs/report.txt", content, T);

        ItSupport.CliResult ls = ok("files", "ls", "docs", "--admin", cluster.node(0).adminAddress());
        assertThat(ls.output()).contains("docs/report.txt").contains(String.valueOf(content.length));
        ItSupport.CliResult lsJson = ok("files", "ls", "--json", "--admin", cluster.node(2).adminAddress());
        assertThat(lsJson.output()).contains("\"docs/report.txt\"").contains(ItSupport.sha256(content));

        Path out = base.resolve("report-out.txt");
        ok("files", "get", "docs/report.txt", out.toString(), "--admin", cluster.node(2).adminAddress());
        assertThat(Files.readAllBytes(out)).isEqualTo(content);

        ok("files", "rm", "docs/report.txt", "--admin", cluster.node(0).adminAddress());
        ItSupport.awaitGone(cluster.nodes(), "docs/report.txt", T);
        ItSupport.CliResult after = ok("files", "ls", "docs", "--admin", cluster.node(2).adminAddress());
        assertThat(after.output()).doesNotContain("report.txt");
        cluster.awaitConverged(T);

        // Missing file: clear error, exit 1.
        ItSupport.CliResult missing = ItSupport.runCli("files", "get", "docs/report.txt", base.resolve("nope").toString(),
                "--admin", cluster.node(0).adminAddress());
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
        assertThat(missing.output()).contains("404");
    }

    @Test
    void lsFollowsThePagesToTheEnd() throws Exception {
        for (int i = 0; i < 12; i++) TestCluster.write(cluster.node(0).file("many/f" + (char) ('a' + i) + ".txt"), "f" + i);
        ItSupport.awaitContent(cluster.nodes(), "many/fl.txt", "f11", T);
        cluster.awaitConverged(T);

        ItSupport.CliResult ls = ok("files", "ls", "many", "--page-size", "5", "--admin", cluster.node(1).adminAddress());
        List<String> lines = ls.output().lines().filter(l -> l.contains("many")).toList();
        assertThat(lines).hasSize(13);
        assertThat(lines.get(0)).endsWith("many/");
        for (int i = 0; i < 12; i++) assertThat(lines.get(i + 1)).endsWith("many/f" + (char) ('a' + i) + ".txt");

        ItSupport.CliResult json = ok("files", "ls", "many", "--json", "--page-size", "4", "--admin", cluster.node(2).adminAddress());
        com.fasterxml.jackson.databind.JsonNode array = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.output().substring(json.output().indexOf('[')));
        assertThat(array.isArray()).isTrue();
        assertThat(array.findValuesAsText("path")).hasSize(13).isSorted().contains("many", "many/fa.txt", "many/fl.txt");
        ItSupport.CliResult none = ok("files", "ls", "nothing-here", "--json", "--admin", cluster.node(0).adminAddress());
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(none.output().substring(none.output().indexOf('['))))
                .isEmpty();

        ItSupport.CliResult bad = ItSupport.runCli("files", "ls", "--page-size", "0", "--admin", cluster.node(0).adminAddress());
        assertThat(bad.exitCode()).as(bad.output()).isEqualTo(2);
        assertThat(bad.output()).contains("--page-size");
    }

    @Test
    void clusterStatusShowsTheMembers() throws Exception {
        ItSupport.CliResult r = ok("cluster", "status", "--admin", cluster.node(0).adminAddress());
        for (TestNode n : cluster.nodes()) assertThat(r.output()).contains(n.id()).contains(n.raftAddress());
        ItSupport.CliResult json = ok("cluster", "status", "--json", "--admin", cluster.node(2).adminAddress());
        assertThat(json.output()).contains("\"appliedOps\"");
    }

    @Test
    void verifyNodeFoldersAndPlainFolders() throws Exception {
        TestCluster.write(cluster.node(0).file("verify/one.txt"), "one");
        ItSupport.awaitContent(cluster.nodes(), "verify/one.txt", "one", T);
        cluster.awaitConverged(T);
        String[] nodeDirs = cluster.nodes().stream().map(n -> n.dir().toString()).toArray(String[]::new);
        ItSupport.CliResult same = ok(concat("verify", nodeDirs));
        assertThat(same.output()).contains("identical");

        // Plain folders (not managed by a node) for the difference.
        Path d1 = base.resolve("plain/d1"), d2 = base.resolve("plain/d2"), d3 = base.resolve("plain/d3");
        for (Path d : List.of(d1, d2, d3)) {
            TestCluster.write(d.resolve("x/same.txt"), "same");
            TestCluster.write(d.resolve("y.txt"), "y");
        }
        ok("verify", d1.toString(), d2.toString(), d3.toString());
        Files.writeString(d2.resolve("x/same.txt"), "different");
        ItSupport.CliResult diff = ItSupport.runCli("verify", d1.toString(), d2.toString(), d3.toString());
        assertThat(diff.exitCode()).as(diff.output()).isEqualTo(1);
        assertThat(diff.output()).contains("x/same.txt").doesNotContain("y.txt");
        TestCluster.write(d3.resolve("only-in-d3.txt"), "extra");
        ItSupport.CliResult diff2 = ItSupport.runCli("verify", d1.toString(), d2.toString(), d3.toString());
        assertThat(diff2.exitCode()).as(diff2.output()).isEqualTo(1);
        assertThat(diff2.output()).contains("x/same.txt").contains("only-in-d3.txt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "node start --help", "files --help", "cluster --help", "verify --help", "demo --help"})
    void helpPrintsUsageAndExitsZero(String args) throws Exception {
        ItSupport.CliResult r = ok(args.split(" "));
        assertThat(r.output()).contains("Usage:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--no-such-option", "files ls --no-such-option", "node start --node-id n --port 1 --bogus"})
    void unknownOptionsExitTwo(String args) throws Exception {
        ItSupport.CliResult r = ItSupport.runCli(args.split(" "));
        assertThat(r.exitCode()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).containsAnyOf("Unknown option", "Unmatched argument");
    }

    private static String[] concat(String first, String... rest) {
        String[] all = Arrays.copyOf(new String[] {first}, rest.length + 1);
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
