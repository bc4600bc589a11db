package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pickbox.folder.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static io.pickbox.it.ItSupport.files;
import static io.pickbox.it.ItSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * How a node decides what to replicate: ignore rules, the mass-delete guard, symlinks, case
 * collisions, a burst of new directories, trees moved in and out of the folder. One 3-node in-JVM
 * cluster for the class (each test in its own subdirectory); the mass-delete test has its own.
 */
class DetectionIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static Path outside;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        outside = Files.createDirectories(base.resolve("outside"));
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static TestNode n(int i) {
        return cluster.node(i);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ .pickboxignore

    /**
     * A writer that takes its time (a download, a slow copy) outlasts the longest a node waits
     * before reading a changing file. The node reads it when the writer pauses or closes it, or
     * when that longest wait is up; not each time the writer adds a little.
     */
    @Test
    void aFileWrittenSlowlyIsNotReadOverAndOverWhileItGrows() throws Exception {
        int piece = 64 * 1024;
        int pieces = 128;
        byte[] content = ItSupport.randomBytes(pieces * piece, 61);
        String before = get(n(0).adminAddress(), "/metrics").body();
        Files.createDirectories(n(0).file("slow"));
        try (OutputStream out = Files.newOutputStream(n(0).file("slow/download.bin"))) {
            for (int i = 0; i < pieces; i++) {
                out.write(content, i * piece, piece);
                Thread.sleep(25); // the writer's own pace: 8 MiB in about three seconds
            }
        }
        awaitContent(cluster.nodes(), "slow/download.bin", content, T);
        String after = get(n(0).adminAddress(), "/metrics").body();
        double readAgain = metric(after, "pickbox_chunk_deduplicated_bytes_total", "") - metric(before, "pickbox_chunk_deduplicated_bytes_total", "");
        System.err.println("TEST: " + (long) readAgain + " chunk bytes read again while an 8 MiB file grew for three seconds");
        // A handful of reads of at most 8 MiB each; reading on every write would be a hundred.
        assertThat(readAgain).as("chunk bytes read again while the file grew").isLessThan(4.0 * content.length);
        Files.delete(n(0).file("slow/download.bin"));
        awaitGone(cluster.nodes(), "slow/download.bin", T);
    }

    @Test
    void pickboxignoreKeepsIgnoredFilesLocal() throws Exception {
        try {
            ignoreChecks();
        } finally {
            // Clean up the ignored files everywhere, then drop the rules (the ignore file's deletion replicates too).
            for (TestNode x : cluster.nodes()) {
                AtomicFiles.deleteRecursively(x.file("ign/build"));
                AtomicFiles.deleteRecursively(x.file("ign/deep"));
                Files.deleteIfExists(x.file("ign/app.log"));
                Files.deleteIfExists(x.file("ign/gen/local.log"));
            }
            cluster.awaitConvergedUnder("ign", T);
            Files.deleteIfExists(n(0).file(".pickboxignore"));
            awaitGone(cluster.nodes(), ".pickboxignore", T);
        }
        cluster.awaitConverged(T);
    }

    private static Map<TestNode, Double> rescans() throws Exception {
        Map<TestNode, Double> m = new java.util.HashMap<>();
        for (TestNode x : cluster.nodes()) m.put(x, metric(get(x.adminAddress(), "/metrics").body(), "pickbox_rescans_total", ""));
        return m;
    }

    /**
     * Waits until every node has read changed ignore rules. A node reads them again when it next
     * looks at a path (here a probe file, replicated to all) and then rescans its folder, which
     * its rescan count shows.
     */
    private static void awaitRulesReadEverywhere(Map<TestNode, Double> rescansBefore) {
        int[] probe = {0};
        await().atMost(T).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            TestCluster.write(n(0).file("rules-probe/read.txt"), "probe " + probe[0]++);
            return rescans().entrySet().stream().allMatch(e -> e.getValue() > rescansBefore.get(e.getKey()));
        });
    }

    private void ignoreChecks() throws Exception {
        Map<TestNode, Double> rescansBefore = rescans();
        TestCluster.write(n(0).file(".pickboxignore"), "# gitignore syntax\n*.log\nbuild/\n!keep.log\n");
        awaitContent(cluster.nodes(), ".pickboxignore", "# gitignore syntax\n*.log\nbuild/\n!keep.log\n", T);
        awaitRulesReadEverywhere(rescansBefore);

        // A directory that is replicated, before anything ignored lands in it.
        TestCluster.write(n(0).file("ign/gen/tracked.txt"), "tracked\n");
        awaitContent(cluster.nodes(), "ign/gen/tracked.txt", "tracked\n", T);

        TestCluster.write(n(0).file("ign/build/out.o"), "node1's object file");
        TestCluster.write(n(1).file("ign/build/out.o"), "node2's object file");
        TestCluster.write(n(0).file("ign/app.log"), "node1's log");
        TestCluster.write(n(1).file("ign/app.log"), "node2's log");
        TestCluster.write(n(0).file("ign/deep/er/trace.log"), "node1's nested log");
        TestCluster.write(n(1).file("ign/gen/local.log"), "node2's log inside a replicated directory");
        TestCluster.write(n(0).file("ign/keep.log"), "re-included by !keep.log");
        TestCluster.write(n(0).file("ign/after.txt"), "written after the ignored files");
        awaitContent(cluster.nodes(), "ign/keep.log", "re-included by !keep.log", T);
        awaitContent(cluster.nodes(), "ign/after.txt", "written after the ignored files", T);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(read(n(0).file("ign/build/out.o"))).isEqualTo("node1's object file");
            assertThat(read(n(1).file("ign/build/out.o"))).isEqualTo("node2's object file");
            assertThat(read(n(0).file("ign/app.log"))).isEqualTo("node1's log");
            assertThat(read(n(1).file("ign/app.log"))).isEqualTo("node2's log");
            assertThat(n(2).file("ign/build")).doesNotExist();
            assertThat(n(2).file("ign/app.log")).doesNotExist();
            assertThat(n(1).file("ign/deep/er/trace.log")).doesNotExist();
            assertThat(n(2).file("ign/deep/er/trace.log")).doesNotExist();
            assertThat(n(0).file("ign/gen/local.log")).doesNotExist();
            assertThat(n(2).file("ign/gen/local.log")).doesNotExist();
        });
        JsonNode committed = JSON.readTree(n(0).get("/v1/files?prefix=ign").body());
        List<String> paths = new ArrayList<>();
        committed.path("entries").forEach(e -> paths.add(e.path("path").asText()));
        assertThat(paths).as("committed under ign/").contains("ign/keep.log", "ign/after.txt", "ign/gen/tracked.txt")
                .noneMatch(p -> p.startsWith("ign/build") || p.endsWith("app.log") || p.endsWith("trace.log") || p.endsWith("local.log"));

        // Remote operations never delete ignored files: node2 removes its build/ and its app.log,
        // node3 creates its own build/, node1 deletes the replicated gen/ directory in which node2 keeps an ignored log.
        AtomicFiles.deleteRecursively(n(1).file("ign/build"));
        Files.delete(n(1).file("ign/app.log"));
        TestCluster.write(n(2).file("ign/build/out.o"), "node3's object file");
        AtomicFiles.deleteRecursively(n(0).file("ign/gen"));
        awaitGone(cluster.nodes(), "ign/gen/tracked.txt", T);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(read(n(0).file("ign/build/out.o"))).isEqualTo("node1's object file");
            assertThat(read(n(2).file("ign/build/out.o"))).isEqualTo("node3's object file");
            assertThat(read(n(0).file("ign/app.log"))).isEqualTo("node1's log");
            assertThat(n(1).file("ign/build")).doesNotExist();
            assertThat(read(n(1).file("ign/gen/local.log"))).isEqualTo("node2's log inside a replicated directory");
        });

    }

    // ------------------------------------------------------------------------------------------ mass-delete guard

    @Test
    void massDeleteWhileDownRefusesToStartUntilAllowedButARenameStarts() throws Exception {
        try (TestCluster own = TestCluster.inJvm(Files.createDirectories(base.resolve("mass")), 3)) {
            int total = 50;
            for (int i = 0; i < total; i++) TestCluster.write(own.node(0).file(String.format("m/f%02d.txt", i)), "file " + i);
            await().atMost(T).ignoreExceptions().untilAsserted(() -> {
                for (TestNode x : own.nodes()) {
                    for (int i = 0; i < total; i++) assertThat(x.file(String.format("m/f%02d.txt", i))).exists();
                }
            });
            own.awaitConverged(T);

            // Every file renamed while the node is down: found under its new name, not missing.
            TestNode node3 = own.node(2);
            node3.stop();
            Files.move(node3.file("m"), node3.file("renamed"));
            node3.start();
            awaitGone(own.nodes(), "m/f00.txt", T);
            awaitContent(own.nodes(), "renamed/f49.txt", "file 49", T);
            own.awaitConverged(T);
            Files.move(own.node(0).file("renamed"), own.node(0).file("m"));
            awaitContent(own.nodes(), "m/f49.txt", "file 49", T);
            own.awaitConverged(T);

            node3.stop();
            int deleted = 30; // more than half
            for (int i = 0; i < deleted; i++) Files.delete(node3.file(String.format("m/f%02d.txt", i)));

            assertThatThrownBy(node3::start).isInstanceOf(IOException.class).hasMessageContaining("--allow-mass-delete");
            assertThat(node3.running()).isFalse();
            for (TestNode x : List.of(own.node(0), own.node(1))) {
                for (int i = 0; i < total; i++) assertThat(x.file(String.format("m/f%02d.txt", i))).as("on " + x).exists();
                assertThat(x.status().path("files").asInt()).as("committed files on " + x).isGreaterThanOrEqualTo(total);
            }

            TestNode allowed = own.reconfigure(node3, c -> c.allowMassDelete(true));
            allowed.start();
            for (int i = 0; i < deleted; i++) awaitGone(own.nodes(), String.format("m/f%02d.txt", i), T);
            for (int i = deleted; i < total; i++) awaitContent(own.nodes(), String.format("m/f%02d.txt", i), "file " + i, T);
            own.awaitConverged(T);
        }
    }


    // ------------------------------------------------------------------------------------------ symlinks

    @Test
    void symlinksAreNeitherReplicatedNorFollowed() throws Exception {
        TestCluster.write(n(0).file("links/real.txt"), "real file");
        TestCluster.write(n(0).file("links/sub/other.txt"), "in a subdirectory");
        Files.createSymbolicLink(n(0).file("links/inside"), Path.of("real.txt"));
        Files.createSymbolicLink(n(0).file("links/subdir-link"), Path.of("sub"));
        Files.createSymbolicLink(n(0).file("links/etc"), Path.of("/etc"));
        Files.createSymbolicLink(n(0).file("links/passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(n(0).file("links/dangling"), Path.of("no/such/file"));
        TestCluster.write(n(0).file("links/after.txt"), "created after the links");
        List<String> links = List.of("inside", "subdir-link", "etc", "passwd", "dangling");
        try {
            symlinksChecks(links);
        } finally {
            for (String l : links) Files.deleteIfExists(n(0).file("links/" + l));
        }
        cluster.awaitConverged(T);
    }

    private void symlinksChecks(List<String> links) throws Exception {
        awaitContent(cluster.nodes(), "links/real.txt", "real file", T);
        awaitContent(cluster.nodes(), "links/sub/other.txt", "in a subdirectory", T);
        awaitContent(cluster.nodes(), "links/after.txt", "created after the links", T);

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (TestNode x : List.of(n(1), n(2))) {
                for (String l : links) assertThat(Files.exists(x.file("links/" + l), LinkOption.NOFOLLOW_LINKS)).as(l + " on " + x).isFalse();
                assertThat(ItSupport.listing(x.file("links"))).as("links/ on " + x)
                        .containsExactlyInAnyOrder("after.txt", "real.txt", "sub", "sub/other.txt");
            }
        });
        // Nothing from /etc anywhere (a followed link would bring hostname, passwd, ...).
        for (TestNode x : List.of(n(1), n(2))) {
            assertThat(ItSupport.listing(x.dir()).stream().map(p -> Path.of(p).getFileName().toString())
                    .filter(f -> f.equals("passwd") || f.equals("hostname") || f.equals("os-release")).toList())
                    .as("files from /etc on " + x).isEmpty();
        }
        List<String> committed = new ArrayList<>();
        JSON.readTree(n(1).get("/v1/files?prefix=links").body()).path("entries").forEach(e -> committed.add(e.path("path").asText()));
        assertThat(committed).as("committed under links/")
                .containsExactlyInAnyOrder("links", "links/after.txt", "links/real.txt", "links/sub", "links/sub/other.txt");
    }

    // ------------------------------------------------------------------------------------------ case collisions

    @Test
    void caseCollisionIsRefusedOnceAndNotReproposed() throws Exception {
        TestCluster.write(n(0).file("case/Readme.md"), "mixed case, first");
        awaitContent(cluster.nodes(), "case/Readme.md", "mixed case, first", T);
        cluster.awaitConvergedUnder("case", T);

        TestCluster.write(n(1).file("case/README.md"), "upper case, second");
        try {
            caseCollisionChecks();
        } finally {
            Files.deleteIfExists(n(1).file("case/README.md"));
        }
        cluster.awaitConverged(T);
    }

    private void caseCollisionChecks() throws Exception {
        String[] reason = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            JsonNode blocked = n(1).status().path("blocked").path("case/README.md");
            assertThat(blocked.isMissingNode()).as("case/README.md blocked on node2: " + n(1).status().path("blocked")).isFalse();
            reason[0] = blocked.toString();
            assertThat(reason[0].toLowerCase(Locale.ROOT)).contains("case");
        });
        System.out.println("case collision: blocked as " + reason[0]);
        long ops = n(0).appliedOps();
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(n(0).appliedOps()).as("ops applied on node1 (no re-proposal loop)").isEqualTo(ops);
            assertThat(n(0).file("case/README.md")).doesNotExist();
            assertThat(n(2).file("case/README.md")).doesNotExist();
            assertThat(read(n(1).file("case/README.md"))).isEqualTo("upper case, second");
            assertThat(read(n(1).file("case/Readme.md"))).isEqualTo("mixed case, first");
        });
        assertThat(n(0).get("/v1/files/case/README.md").statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------------------------------ many new directories at once

    @Test
    void twoThousandFilesCopiedInAtOnceAllReplicate() throws Exception {
        Path src = Files.createDirectories(outside.resolve("many"));
        for (int d = 0; d < 20; d++) {
            for (int f = 0; f < 100; f++) {
                String rel = "d" + d + (f < 50 ? "" : "/nested/deeper") + "/f" + f + ".txt";
                TestCluster.write(src.resolve(rel), "dir " + d + " file " + f + "\n");
            }
        }
        Map<String, byte[]> expected = files(src);
        assertThat(expected).hasSize(2000);
        double duplicatesBefore = duplicates();
        long t0 = System.nanoTime();
        run(outside, "cp", "-r", src.toString(), n(0).file("many").toString());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode x : List.of(n(1), n(2))) {
                Map<String, byte[]> actual = files(x.file("many"));
                assertThat(actual.keySet()).as("files under many/ on " + x).hasSize(2000).containsExactlyInAnyOrderElementsOf(expected.keySet());
            }
        });
        cluster.awaitConvergedUnder("many", T);
        for (TestNode x : cluster.nodes()) {
            Map<String, byte[]> actual = files(x.file("many"));
            for (var e : expected.entrySet()) assertThat(actual.get(e.getKey())).as(e.getKey() + " on " + x).isEqualTo(e.getValue());
        }
        System.out.printf("cp -r of 2000 files converged in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        // Proposals sent concurrently must reach the log in sequence order: one taken out of order
        // was dropped by apply as a retry and had to be proposed again.
        assertThat(duplicates()).as("ops dropped as duplicates during the copy").isEqualTo(duplicatesBefore);
    }

    private double duplicates() throws Exception {
        String scrape = AdminHttp.get(n(0).adminAddress(), "/metrics").body();
        double d = AdminHttp.metric(scrape, "pickbox_ops_committed_total", "result=\"duplicate\"");
        return Double.isNaN(d) ? 0 : d;
    }

    // ------------------------------------------------------------------------------------------ moves across the folder's edge

    @Test
    void treeMovedInReplicatesAndTreeMovedOutIsDeletedEverywhere() throws Exception {
        Path staging = Files.createDirectories(outside.resolve("staging"));
        Path tree = staging.resolve("tree");
        Map<String, String> expected = new TreeMap<>();
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                for (int f = 0; f < 5; f++) {
                    String rel = "a" + a + "/b" + b + "/f" + f + ".txt";
                    expected.put(rel, "moved in " + rel);
                    TestCluster.write(tree.resolve(rel), "moved in " + rel);
                }
            }
        }
        Files.createDirectories(tree.resolve("empty/leaf"));
        Files.move(tree, n(0).file("moved-in"));
        await().atMost(T).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode x : cluster.nodes()) {
                for (var e : expected.entrySet()) assertThat(read(x.file("moved-in/" + e.getKey()))).as(e.getKey() + " on " + x).isEqualTo(e.getValue());
                assertThat(x.file("moved-in/empty/leaf")).isDirectory();
            }
        });
        cluster.awaitConvergedUnder("moved-in", T);

        // Out of the folder (same file system): a delete of the whole tree, everywhere.
        Files.move(n(1).file("moved-in"), staging.resolve("moved-out"));
        awaitGone(cluster.nodes(), "moved-in", T);
        assertThat(files(staging.resolve("moved-out"))).hasSize(expected.size());
        cluster.awaitConverged(T);
        for (TestNode x : cluster.nodes()) assertThat(x.file("moved-in")).doesNotExist();
    }
}
