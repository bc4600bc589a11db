package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.FileStat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitContents;
import static io.pickbox.it.ItSupport.awaitGone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restores through the admin API on a 3-node in-JVM cluster: a 10,000-file tree deleted with
 * {@code rm -rf} on another node comes back; a subtree goes back to a time between two edits; a
 * restored file is restored back; bad requests change nothing. One cluster for the class; each
 * test works in its own directory.
 */
class HistoryRestoreIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final Duration LONG = Duration.ofMinutes(3);
    /** Between the last commit before a noted time and the first after it. */
    private static final Duration GAP = Duration.ofMillis(100);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static TestNode n(int i) {
        return cluster.node(i);
    }

    @Test
    void aTreeOfTenThousandFilesDeletedWithRmOnAnotherNodeComesBackEverywhere() throws Exception {
        ManyFiles tree = new ManyFiles("tree", 100, 100);
        tree.write(n(1).dir());
        ManyFiles.awaitSameIndex(cluster.nodes(), tree.entries(), LONG);
        for (TestNode x : cluster.nodes()) tree.awaitHeldBy(x, LONG);
        long before = HistoryHttp.noteTime(n(0), GAP);
        List<String> sample = List.of(tree.root + "/d0/f0", tree.root + "/d7/f7", tree.root + "/d99/f99");
        Map<String, Long> inodes = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            for (String p : sample) inodes.put(i + ":" + p, FileStat.of(n(i).file(p)).inode());
        }

        ItSupport.run(n(2).dir(), "rm", "-rf", tree.root);
        awaitGone(cluster.nodes(), tree.root, LONG);
        await().atMost(LONG).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (TestNode x : cluster.nodes()) assertThat(AdminListing.of(x, tree.root)).as("entries under tree on " + x).isEmpty();
        });
        JsonNode deleted = HistoryHttp.versions(n(0), tree.root + "/d7/f7").get(0);
        assertThat(deleted.path("ending").asText()).isEqualToIgnoringCase("deleted");
        assertThat(HistoryHttp.millis(deleted.path("endedAt"))).as("deleted after the time restored to").isGreaterThan(before);

        long t0 = System.nanoTime();
        JsonNode report = HistoryHttp.restoreTree(n(0), tree.root, before);
        assertThat(report.path("restored").asLong()).as("restored: " + report).isGreaterThanOrEqualTo(tree.files());
        assertThat(report.path("kept").asLong()).as("kept: " + report).isZero();
        assertThat(report.path("conflicts").asLong()).as("conflicts: " + report).isZero();

        for (TestNode x : cluster.nodes()) tree.awaitHeldBy(x, LONG);
        System.out.printf("restore of %d files: answered and held by every node in %.1f s%n", tree.files(), (System.nanoTime() - t0) / 1e9);
        cluster.awaitConvergedUnder(tree.root, LONG);
        for (TestNode x : cluster.nodes()) assertHoldsEveryFile(tree, x);
        ItSupport.assertNoConflictsUnder(tree.root, cluster.nodes());
        ManyFiles.awaitSameIndex(cluster.nodes(), tree.entries(), T);
        // The nodes that deleted the files on the cluster's word kept them aside: moved back, not rewritten.
        for (int i = 0; i < 2; i++) {
            for (String p : sample) {
                assertThat(FileStat.of(n(i).file(p)).inode()).as(p + " on " + n(i) + " is the file deleted").isEqualTo(inodes.get(i + ":" + p));
            }
        }
    }

    @Test
    void aSubtreeGoesBackToATimeBetweenTwoEdits() throws Exception {
        Map<String, byte[]> first = Map.of(
                "sub/a.txt", bytes("a, first"),
                "sub/b.txt", bytes("b, first"),
                "sub/c/d.txt", bytes("d, first"));
        for (var f : first.entrySet()) ItSupport.write(n(0).file(f.getKey()), f.getValue());
        TestCluster.write(n(1).file("beside-sub.txt"), "beside, first");
        awaitContents(cluster.nodes(), first, T);
        awaitContent(cluster.nodes(), "beside-sub.txt", "beside, first", T);
        cluster.awaitConverged(T);
        long between = HistoryHttp.noteTime(n(2), GAP);
        for (String p : first.keySet()) {
            assertThat(HistoryHttp.millis(HistoryHttp.current(n(2), p).path("committedAt"))).as(p + " committed before").isLessThan(between);
        }

        TestCluster.write(n(1).file("sub/a.txt"), "a, second");
        Files.delete(n(2).file("sub/b.txt"));
        TestCluster.write(n(0).file("sub/c/d.txt"), "d, second");
        TestCluster.write(n(2).file("sub/e.txt"), "e, made after");
        TestCluster.write(n(1).file("beside-sub.txt"), "beside, second");
        awaitContents(cluster.nodes(), Map.of("sub/a.txt", bytes("a, second"), "sub/c/d.txt", bytes("d, second"),
                "sub/e.txt", bytes("e, made after"), "beside-sub.txt", bytes("beside, second")), T);
        awaitGone(cluster.nodes(), "sub/b.txt", T);
        cluster.awaitConverged(T);
        assertThat(HistoryHttp.millis(HistoryHttp.current(n(0), "sub/a.txt").path("committedAt"))).isGreaterThan(between);

        // the time as an ISO instant, as a person would type it
        JsonNode report = HistoryHttp.restoreOk(n(1), HistoryHttp.restoreOf("sub").put("at", Instant.ofEpochMilli(between).toString()));
        assertThat(report.path("restored").asLong()).as("restored: " + report).isGreaterThanOrEqualTo(3);
        assertThat(report.path("newer").asLong()).as("created after: " + report).isGreaterThanOrEqualTo(1);
        assertThat(report.path("kept").asLong()).as("kept: " + report).isZero();

        awaitContents(cluster.nodes(), first, T);
        // made after the time restored to: left alone; beside the subtree: untouched
        awaitContents(cluster.nodes(), Map.of("sub/e.txt", bytes("e, made after"), "beside-sub.txt", bytes("beside, second")), T);
        cluster.awaitConverged(T);
        ItSupport.assertNoConflictsUnder("sub", cluster.nodes());
        // the restore is itself a version: the second edit is still in the history
        assertThat(HistoryHttp.versionWithContent(n(2), "sub/a.txt", bytes("a, second"))).as("second edit of a.txt kept").isNotNull();
    }

    @Test
    void aRestoredFileIsRestoredBackToWhatWasCurrentBefore() throws Exception {
        TestCluster.write(n(0).file("back/report.txt"), "one");
        awaitContent(cluster.nodes(), "back/report.txt", "one", T);
        TestCluster.write(n(1).file("back/report.txt"), "two");
        awaitContent(cluster.nodes(), "back/report.txt", "two", T);
        cluster.awaitConverged(T);

        long v1 = HistoryHttp.versionWithContent(n(2), "back/report.txt", bytes("one")).path("version").asLong();
        long v2 = HistoryHttp.current(n(2), "back/report.txt").path("version").asLong();
        assertThat(HistoryHttp.current(n(2), "back/report.txt").path("sha256").asText()).isEqualTo(ItSupport.sha256(bytes("two")));

        JsonNode first = HistoryHttp.restoreVersion(n(2), "back/report.txt", v1);
        assertThat(first.path("restored").asLong()).as("" + first).isEqualTo(1);
        awaitContent(cluster.nodes(), "back/report.txt", "one", T);
        JsonNode now = HistoryHttp.current(n(0), "back/report.txt");
        assertThat(now.path("sha256").asText()).isEqualTo(ItSupport.sha256(bytes("one")));
        assertThat(now.path("version").asLong()).as("a restore is a new version").isGreaterThan(v2);
        JsonNode replaced = versionNumbered(n(0), "back/report.txt", v2);
        assertThat(replaced).as("the version the restore replaced is kept").isNotNull();
        assertThat(replaced.path("ending").asText()).isEqualToIgnoringCase("restored");

        JsonNode back = HistoryHttp.restoreVersion(n(0), "back/report.txt", v2);
        assertThat(back.path("restored").asLong()).as("" + back).isEqualTo(1);
        awaitContent(cluster.nodes(), "back/report.txt", "two", T);
        cluster.awaitConverged(T);
        assertThat(HistoryHttp.current(n(1), "back/report.txt").path("sha256").asText()).isEqualTo(ItSupport.sha256(bytes("two")));
        assertThat(HistoryHttp.versions(n(1), "back/report.txt")).as("two edits and two restores").hasSizeGreaterThanOrEqualTo(4);
        ItSupport.assertNoConflictsUnder("back", cluster.nodes());
    }

    @Test
    void badRequestsGetAClearErrorAndChangeNothing() throws Exception {
        TestCluster.write(n(0).file("bad/kept.txt"), "one");
        awaitContent(cluster.nodes(), "bad/kept.txt", "one", T);
        TestCluster.write(n(0).file("bad/kept.txt"), "two");
        awaitContent(cluster.nodes(), "bad/kept.txt", "two", T);
        cluster.awaitConverged(T);
        long v1 = HistoryHttp.versionWithContent(n(0), "bad/kept.txt", bytes("one")).path("version").asLong();
        long now = HistoryHttp.noteTime(n(0), GAP);
        Snapshot before = Snapshot.of(cluster.nodes());

        List<String> bodies = List.of(
                // unknown versions
                HistoryHttp.restoreOf("bad/kept.txt").put("version", 999_999_999L).toString(),
                HistoryHttp.restoreOf("bad/never-there.txt").put("version", v1).toString(),
                // before the retention window
                HistoryHttp.restoreOf("bad").put("at", "2000-01-01T00:00:00Z").toString(),
                HistoryHttp.restoreOf("bad").put("at", 946_684_800_000L).toString(),
                // outside the folder
                HistoryHttp.restoreOf("../x").put("at", now).toString(),
                HistoryHttp.restoreOf("bad/../../x").put("at", now).toString(),
                HistoryHttp.restoreOf("/etc").put("at", now).toString(),
                HistoryHttp.restoreOf("/etc/passwd").put("version", v1).toString(),
                HistoryHttp.restoreOf("bad/kept.txt").put("version", v1).put("to", "../outside.txt").toString(),
                HistoryHttp.restoreOf("bad/kept.txt").put("version", v1).put("to", "/tmp/outside.txt").toString(),
                // not a time, not a request
                HistoryHttp.restoreOf("bad").put("at", "yesterday").toString(),
                "{\"path\": \"bad\"",
                "{}");
        for (String body : bodies) {
            HttpResponse<String> r = HistoryHttp.post(n(1), "/v1/restore", body);
            assertThat(r.statusCode()).as("POST /v1/restore " + body + " -> " + r.body()).isEqualTo(400);
            assertThat(AdminHttp.json(r).path("error").asText()).as("error of " + body).isNotBlank();
        }
        for (String body : List.of("{\"days\": -2}", "{\"maxBytes\": -5}", "{\"days\": \"many\"}")) {
            HttpResponse<String> r = HistoryHttp.post(n(1), "/v1/history/settings", body);
            assertThat(r.statusCode()).as("POST /v1/history/settings " + body + " -> " + r.body()).isEqualTo(400);
        }
        HttpResponse<String> r = HistoryHttp.post(n(1), "/v1/history/purge", "{\"before\": \"not a time\"}");
        assertThat(r.statusCode()).as("purge before not a time -> " + r.body()).isEqualTo(400);

        cluster.awaitConverged(T);
        assertThat(Snapshot.of(cluster.nodes())).as("after the bad requests").isEqualTo(before);
        assertThat(base.resolve("x")).doesNotExist();
        assertThat(base.resolve("outside.txt")).doesNotExist();
    }

    /** The history entry of {@code path} with this version number, or null. */
    private static JsonNode versionNumbered(TestNode n, String path, long version) throws Exception {
        for (JsonNode v : HistoryHttp.versions(n, path)) if (v.path("version").asLong() == version) return v;
        return null;
    }

    /** Every file of the tree has its own content on the node (none torn, none mixed up). */
    static void assertHoldsEveryFile(ManyFiles tree, TestNode n) throws Exception {
        for (int d = 0; d < tree.dirs; d++) {
            for (int f = 0; f < tree.filesPerDir; f++) {
                assertThat(n.file(tree.root + "/d" + d + "/f" + f)).as("on " + n).hasBinaryContent(tree.content(d, f));
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What a bad request must not change: every node's folder, index and history settings, and the history of the file named. */
    private record Snapshot(List<Map<String, String>> folders, List<List<String>> indexes, List<String> histories, List<String> settings) {
        static Snapshot of(List<TestNode> nodes) throws Exception {
            List<Map<String, String>> folders = new ArrayList<>();
            List<List<String>> indexes = new ArrayList<>();
            List<String> histories = new ArrayList<>();
            List<String> settings = new ArrayList<>();
            for (TestNode n : nodes) {
                Map<String, String> f = new java.util.TreeMap<>();
                for (var e : ItSupport.files(n.dir()).entrySet()) f.put(e.getKey(), ItSupport.sha256(e.getValue()));
                folders.add(f);
                indexes.add(AdminListing.of(n, ""));
                histories.add(HistoryHttp.history(n, "bad/kept.txt").toString());
                JsonNode s = HistoryHttp.status(n);
                settings.add(s.path("days") + " " + s.path("maxBytesSetting") + " " + s.path("versions") + " " + s.path("bytes"));
            }
            return new Snapshot(folders, indexes, histories, settings);
        }
    }
}
