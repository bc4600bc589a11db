package io.pickbox.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Small helpers shared by the integration tests (assertions always poll with a timeout). */
final class ItSupport {

    private ItSupport() {}

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    static void awaitContent(Collection<TestNode> nodes, String rel, byte[] content, Duration timeout) {
        awaitContents(nodes, java.util.Map.of(rel, content), timeout);
    }

    /** Waits until every node holds every one of {@code files} (relative path -> content). */
    static void awaitContents(Collection<TestNode> nodes, java.util.Map<String, byte[]> files, Duration timeout) {
        await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : nodes) {
                for (var f : files.entrySet()) {
                    assertThat(Files.readAllBytes(n.file(f.getKey()))).as(f.getKey() + " on " + n).isEqualTo(f.getValue());
                }
            }
        });
    }

    static void awaitContent(Collection<TestNode> nodes, String rel, String content, Duration timeout) {
        awaitContent(nodes, rel, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), timeout);
    }

    static void awaitGone(Collection<TestNode> nodes, String rel, Duration timeout) {
        await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (TestNode n : nodes) assertThat(n.file(rel)).as(rel + " on " + n).doesNotExist();
        });
    }

    /** Relative paths of every regular file and directory of a node's folder (state folder excluded). */
    static List<String> listing(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> !p.equals(dir)).forEach(p -> {
                String rel = dir.relativize(p).toString();
                if (!rel.equals(".pickbox") && !rel.startsWith(".pickbox/")) out.add(rel);
            });
        }
        out.sort(null);
        return out;
    }

    static List<String> conflictCopies(Path dir) throws IOException {
        return listing(dir).stream().filter(p -> p.contains(".conflict-")).toList();
    }

    /** No conflict copy in any folder, and the index of every node records none. */
    static void assertNoConflicts(Collection<TestNode> nodes) throws Exception {
        for (TestNode n : nodes) {
            assertThat(conflictCopies(n.dir())).as("conflict copies on " + n).isEmpty();
            assertThat(n.status().path("conflicts").asInt()).as("conflicts reported by " + n).isZero();
        }
    }

    /** Waits until every given node reports {@code expected} as leader (and it reports itself as leader). */
    static TestNode awaitLeader(List<TestNode> nodes, Duration timeout) {
        TestNode[] found = new TestNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            TestNode leader = null;
            for (TestNode n : nodes) if ("leader".equals(n.status().path("role").asText())) leader = n;
            if (leader == null) return false;
            for (TestNode n : nodes) {
                if (!leader.id().equals(n.status().path("leader").asText())) return false;
            }
            found[0] = leader;
            return true;
        });
        return found[0];
    }

    static int memberCount(TestNode n) throws Exception {
        return n.status().path("members").size();
    }

    /**
     * Runs {@code pickbox node start ...} for {@code n} as a separate process that is expected to exit
     * by itself (a refused start); returns its exit code. Output goes to {@code log}.
     */
    static int runToExit(TestNode n, Path log, Duration timeout) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-Dpickbox.node=" + n.id());
        cmd.addAll(List.of("-jar", TestNode.jar().toString()));
        cmd.addAll(n.args());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(n + " did not exit within " + timeout + " (it should have refused to start): "
                    + Files.readString(log));
        }
        return p.exitValue();
    }
}
