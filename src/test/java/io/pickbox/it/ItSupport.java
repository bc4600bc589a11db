package io.pickbox.it;

import io.pickbox.cli.NodeCommandLine;

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
        Path state = dir.resolve(".pickbox");
        // Not walked at all: the store deletes and makes files there (flushes, compactions) as it likes.
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                if (d.equals(state)) return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                if (!d.equals(dir)) out.add(dir.relativize(d).toString());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                out.add(dir.relativize(f).toString());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    /**
     * The regular files under {@code dir} and their sizes, as a node's own files are while it runs:
     * one deleted or moved during the walk (a pack compacted, a blob collected) is left out, not an error.
     */
    static java.util.Map<Path, Long> filesWhileChanging(Path dir) throws IOException {
        java.util.Map<Path, Long> out = new java.util.HashMap<>();
        if (!Files.isDirectory(dir)) return out;
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) out.put(f, a.size());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) return java.nio.file.FileVisitResult.CONTINUE;
                throw e;
            }
        });
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
     * Runs {@code n} as a separate process, started as production starts a node, that is expected
     * to exit by itself (a refused start); returns its exit code. Output goes to {@code log}.
     */
    static int runToExit(TestNode n, Path log, Duration timeout) throws Exception {
        Process p = n.processBuilder(NodeCommandLine.of(TestNode.jar()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(n + " did not exit within " + timeout + " (it should have refused to start): "
                    + Files.readString(log));
        }
        return p.exitValue();
    }

    // ---------------------------------------------------------------- CLI, raw Raft client, hashing (added for PathSafetyIT, CliIT, ...)

    /** Exit code and combined stdout+stderr of one CLI run. */
    record CliResult(int exitCode, String output) {}

    /** The real CLI as a command: {@code java -jar target/pickbox.jar ARGS}. */
    static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", TestNode.jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the real CLI as a process and waits for it to exit. */
    static CliResult runCli(Duration timeout, String... args) throws Exception {
        List<String> cmd = cli(args);
        Path out = Files.createTempFile("pickbox-cli", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("pickbox " + String.join(" ", args) + " did not exit within " + timeout + ": "
                        + Files.readString(out));
            }
            return new CliResult(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static CliResult runCli(String... args) throws Exception {
        return runCli(Duration.ofSeconds(60), args);
    }

    /**
     * A Ratis client of the cluster of in-JVM node {@code n} (its group id and current peers), with a short
     * retry policy: for tests that talk to the state machine directly, as a node's own client does.
     */
    /** A Ratis client speaking for node {@code n}: with its certificate, so it may propose ops of its origin only. */
    static org.apache.ratis.client.RaftClient raftClient(TestNode n) throws IOException {
        var raft = n.node().raft();
        var tls = io.pickbox.trust.NodeTls.load(io.pickbox.trust.TlsFiles.in(n.config().stateDir()),
                io.pickbox.trust.RevocationList.NONE);
        var parameters = new org.apache.ratis.conf.Parameters();
        org.apache.ratis.grpc.GrpcConfigKeys.TLS.setConf(parameters,
                new org.apache.ratis.grpc.GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true));
        var props = new org.apache.ratis.conf.RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(props,
                org.apache.ratis.util.TimeDuration.valueOf(10, TimeUnit.SECONDS));
        var group = org.apache.ratis.protocol.RaftGroup.valueOf(raft.groupId(), raft.division().getGroup().getPeers());
        return org.apache.ratis.client.RaftClient.newBuilder().setProperties(props).setParameters(parameters).setRaftGroup(group)
                .setClientId(org.apache.ratis.protocol.ClientId.randomId())
                .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                        org.apache.ratis.util.TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }

    /** Lower-case hex SHA-256 of a file, read in 1 MiB pieces. */
    static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appended lines of every node's log (process clusters) that mention {@code needle}. */
    static List<String> logLinesContaining(Collection<TestNode> nodes, String needle) throws IOException {
        List<String> out = new ArrayList<>();
        for (TestNode n : nodes) {
            if (!Files.exists(n.log)) continue;
            try (Stream<String> lines = Files.lines(n.log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                lines.filter(l -> l.contains(needle)).forEach(l -> out.add(n.id() + ": " + l));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- real programs, node variants (added for RealProgramsIT, DetectionIT)

    /** Output and exit code of an external program. */
    record ProcResult(int exitCode, String output) {}

    /** Runs {@code cmd} in {@code dir}, stdout+stderr combined; does not check the exit code. */
    static ProcResult exec(Path dir, Duration timeout, List<String> cmd) throws Exception {
        Path out = Files.createTempFile("pickbox-exec", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd) + " (in " + dir + ") did not exit within " + timeout + ":\n"
                        + Files.readString(out));
            }
            return new ProcResult(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs {@code cmd} in {@code dir} and fails the test with its output if it exits non-zero; returns the output. */
    static String run(Path dir, String... cmd) throws Exception {
        ProcResult r = exec(dir, Duration.ofSeconds(120), List.of(cmd));
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " (in " + dir + ") exited with " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** {@code git} with a fixed identity, any directory trusted, no pager, no global/system config. */
    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "safe.directory=*", "-c", "user.name=Pickbox Test",
                "-c", "user.email=test@pickbox.invalid", "-c", "init.defaultBranch=main", "-c", "core.pager=cat",
                "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        return run(dir, cmd.toArray(String[]::new));
    }

    /** Whether a program can be found on the PATH. */
    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }

    /** Regular files (relative path -> content) of a folder, state folder excluded. */
    static java.util.Map<String, byte[]> files(Path dir) throws IOException {
        java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
        for (String rel : listing(dir)) {
            Path p = dir.resolve(rel);
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) out.put(rel, Files.readAllBytes(p));
        }
        return out;
    }

    /** No conflict copy under {@code rel} in any folder, and none recorded there by the index of any node. */
    static void assertNoConflictsUnder(String rel, Collection<TestNode> nodes) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (TestNode n : nodes) {
            if (!n.running()) continue;
            assertThat(conflictCopies(n.file(rel))).as("conflict copies under " + rel + " on " + n).isEmpty();
            List<String> recorded = new ArrayList<>();
            json.readTree(n.get("/v1/conflicts?prefix=" + rel).body()).path("entries").forEach(c -> recorded.add(c.path("path").asText()));
            assertThat(recorded).as("conflicts recorded by " + n).noneMatch(p -> p.startsWith(rel + "/"));
        }
    }
}
