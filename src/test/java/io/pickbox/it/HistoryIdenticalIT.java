package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every node keeps the same history: for each path its versions (time, size, hash, node, how it
 * ended) and the trash are the same through the admin API of every node, with nothing that differs
 * from node to node; also on a node that joined after the versions were made and after the log that
 * carried them was purged (it has the history from a checkpoint), which can then restore an old
 * version whose bytes only its peers hold. In-JVM nodes that take a checkpoint every 20 entries.
 */
class HistoryIdenticalIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final List<String> PATHS = List.of("docs/report.txt", "docs/notes.txt", "docs/old-name.txt", "docs/new-name.txt",
            "docs/saved.txt", "docs/mode.sh", "docs/big.bin", "gone/f0.txt", "gone/f4.txt");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void historyIsIdenticalOnEveryNodeAndOnANodeThatJoinedAfterTheLogWasPurged() throws Exception {
        cluster = TestCluster.inJvm(base, 3, c -> c.snapshotEvery(20).segmentBytes(65536));
        List<TestNode> three = List.copyOf(cluster.nodes());
        byte[] bigV1 = randomBytes(2 << 20, 1);
        byte[] bigV2 = bigV1.clone();
        System.arraycopy(randomBytes(1 << 20, 2), 0, bigV2, 1 << 20, 1 << 20);
        makeVersions(three, bigV1, bigV2);

        awaitIdenticalHistory(three);
        TestNode any = three.get(2);
        JsonNode v2 = HistoryHttp.versionWithContent(any, "docs/report.txt", "report, second".getBytes());
        assertThat(v2).as("second version of the report").isNotNull();
        assertThat(v2.path("node").asText()).as("the node that made the second version").isEqualTo(three.get(1).id());
        assertThat(v2.path("ending").asText()).isEqualToIgnoringCase("edited");
        assertThat(HistoryHttp.versions(any, "docs/report.txt")).as("three edits and a restore").hasSizeGreaterThanOrEqualTo(4);
        assertThat(HistoryHttp.versions(any, "docs/old-name.txt").get(0).path("movedTo").asText()).isEqualTo("docs/new-name.txt");
        List<String> trashed = HistoryHttp.trash(any, "").stream().map(e -> e.path("path").asText()).toList();
        assertThat(trashed).contains("docs/notes.txt", "gone/f0.txt", "gone/f4.txt").doesNotContain("docs/report.txt");

        // The log that carried every version is purged behind a checkpoint on every node.
        long made = 0;
        for (TestNode n : three) made = Math.max(made, n.status().path("commitIndex").asLong());
        long carried = made;
        int[] round = {0};
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (ManyFiles.logStart(three) > carried) return true;
            int r = round[0]++;
            for (int i = 0; i < 20; i++) {
                TestCluster.write(three.get(0).file("filler/r" + r + "/a-rather-long-file-name-to-fill-the-raft-log-" + i + ".txt"),
                        "filler " + r + "/" + i);
            }
            return false;
        });
        cluster.awaitConverged(T);

        TestNode fourth = cluster.addNode();
        awaitContent(List.of(fourth), "docs/big.bin", bigV2, T);
        cluster.awaitConverged(T);
        assertThat(ManyFiles.logStart(fourth)).as("the newcomer's log starts after a checkpoint").isGreaterThan(1);
        awaitIdenticalHistory(cluster.nodes());
        assertThat(HistoryHttp.versions(fourth, "docs/report.txt")).as("the newcomer has the history").hasSizeGreaterThanOrEqualTo(4);

        // The newcomer restores a version whose bytes it never had: it gets them from its peers.
        long big1 = HistoryHttp.versionWithContent(fourth, "docs/big.bin", bigV1).path("version").asLong();
        JsonNode report = HistoryHttp.restoreVersion(fourth, "docs/big.bin", big1);
        assertThat(report.path("restored").asLong()).as("" + report).isEqualTo(1);
        awaitContent(cluster.nodes(), "docs/big.bin", bigV1, T);
        cluster.awaitConverged(T);
        awaitIdenticalHistory(cluster.nodes());
    }

    /** Edits, deletes, renames, an atomic save, a mode change, a large file's edit, an rm -rf and a restore, on all three nodes. */
    private void makeVersions(List<TestNode> n, byte[] bigV1, byte[] bigV2) throws Exception {
        TestCluster.write(n.get(0).file("docs/report.txt"), "report, first");
        awaitContent(n, "docs/report.txt", "report, first", T);
        TestCluster.write(n.get(1).file("docs/report.txt"), "report, second");
        awaitContent(n, "docs/report.txt", "report, second", T);
        TestCluster.write(n.get(2).file("docs/report.txt"), "report, third");
        awaitContent(n, "docs/report.txt", "report, third", T);

        TestCluster.write(n.get(0).file("docs/notes.txt"), "notes");
        TestCluster.write(n.get(0).file("docs/old-name.txt"), "renamed");
        TestCluster.write(n.get(0).file("docs/saved.txt"), "saved, first");
        TestCluster.write(n.get(0).file("docs/mode.sh"), "#!/bin/sh\necho hi\n");
        ItSupport.write(n.get(0).file("docs/big.bin"), bigV1);
        for (int i = 0; i < 5; i++) TestCluster.write(n.get(0).file("gone/f" + i + ".txt"), "gone " + i);
        awaitContent(n, "gone/f4.txt", "gone 4", T);
        awaitContent(n, "docs/big.bin", bigV1, T);
        cluster.awaitConverged(T);

        Files.delete(n.get(1).file("docs/notes.txt"));
        Files.move(n.get(2).file("docs/old-name.txt"), n.get(2).file("docs/new-name.txt"));
        Path temp = n.get(1).file("docs/.saved.txt.tmp");
        Files.writeString(temp, "saved, second");
        Files.move(temp, n.get(1).file("docs/saved.txt"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(n.get(0).file("docs/mode.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        ItSupport.write(n.get(2).file("docs/big.bin"), bigV2);
        ItSupport.run(n.get(1).dir(), "rm", "-rf", "gone");
        awaitGone(n, "docs/notes.txt", T);
        awaitGone(n, "gone", T);
        awaitContent(n, "docs/new-name.txt", "renamed", T);
        awaitContent(n, "docs/saved.txt", "saved, second", T);
        awaitContent(n, "docs/big.bin", bigV2, T);
        cluster.awaitConverged(T);

        long first = HistoryHttp.versionWithContent(n.get(0), "docs/report.txt", "report, first".getBytes()).path("version").asLong();
        HistoryHttp.restoreVersion(n.get(2), "docs/report.txt", first);
        awaitContent(n, "docs/report.txt", "report, first", T);
        cluster.awaitConverged(T);
    }

    /** Waits until every node gives the same answer for the history of each path, the trash and the history's status. */
    private static void awaitIdenticalHistory(List<TestNode> nodes) {
        await().atMost(T).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            Map<String, String> first = null;
            for (TestNode n : nodes) {
                Map<String, String> answers = historyAnswers(n);
                if (first == null) {
                    first = answers;
                    continue;
                }
                for (String key : first.keySet()) {
                    assertThat(answers.get(key)).as(key + " on " + n + " and on " + nodes.get(0)).isEqualTo(first.get(key));
                }
            }
        });
    }

    /** What a node answers for each history question, keyed by the question. */
    private static Map<String, String> historyAnswers(TestNode n) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (String p : PATHS) out.put("GET /v1/history/" + p, HistoryHttp.history(n, p).toString());
        List<String> trash = new ArrayList<>();
        for (JsonNode e : HistoryHttp.trash(n, "")) trash.add(e.toString());
        out.put("GET /v1/trash", String.join("\n", trash));
        out.put("GET /v1/trash?prefix=gone", HistoryHttp.trash(n, "gone").toString());
        out.put("GET /v1/history", HistoryHttp.status(n).toString());
        return out;
    }
}
