package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A purge and a small space cap remove old versions from the history on every node, and once the
 * blob store collects, the chunks only those versions referenced are gone from disk (measured:
 * the size of each node's {@code .pickbox/blobs}); the chunks of versions still kept stay. A 4 MiB
 * file written three times with different content gives two old versions of four chunks each.
 * In-JVM nodes that take a checkpoint every 20 entries, since chunks are collected after one.
 */
class HistoryRetentionIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final int SIZE = 4 << 20;
    private static final long MiB = 1 << 20;
    private static final String BIG = "big/large.bin";
    private static final UnaryOperator<NodeConfig.Builder> SETTINGS = c -> c.snapshotEvery(20).segmentBytes(256 << 10);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;
    private int fillerRound;
    private int nudges;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aPurgeRemovesEveryOldVersionAndCollectionFreesItsChunks() throws Exception {
        cluster = TestCluster.inJvm(base, 3, SETTINGS);
        List<byte[]> contents = writeThreeVersions();
        JsonNode status = HistoryHttp.status(cluster.node(0));
        assertThat(status.path("bytes").asLong()).as("bytes of two old versions: " + status).isGreaterThanOrEqualTo(2L * SIZE);

        // Kept versions keep their chunks through a collection.
        awaitCollection();
        for (byte[] c : contents) assertHeldEverywhere(c, true);
        Map<TestNode, Long> before = blobBytes();

        long versionsBefore = status.path("versions").asLong();
        HistoryHttp.purge(cluster.node(1), System.currentTimeMillis());
        await().atMost(T).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) {
                List<JsonNode> versions = HistoryHttp.versions(n, BIG);
                assertThat(versions).as("versions of " + BIG + " on " + n + " after the purge").hasSize(1);
                assertThat(versions.get(0).path("current").asBoolean()).isTrue();
                JsonNode s = HistoryHttp.status(n);
                assertThat(s.path("bytes").asLong()).as("history bytes on " + n + ": " + s).isZero();
                assertThat(s.path("versions").asLong()).as("versions on " + n + ": " + s).isLessThanOrEqualTo(versionsBefore - 2);
            }
        });

        awaitCollection();
        assertHeldEverywhere(contents.get(0), false);
        assertHeldEverywhere(contents.get(1), false);
        assertHeldEverywhere(contents.get(2), true);
        awaitContent(cluster.nodes(), BIG, contents.get(2), T);
        Map<TestNode, Long> after = blobBytes();
        report("purge", before, after);
        for (TestNode n : cluster.nodes()) {
            assertThat(before.get(n) - after.get(n)).as("bytes freed on " + n).isGreaterThanOrEqualTo(2L * SIZE - MiB);
        }
    }

    @Test
    void aSmallCapRemovesTheOldestVersionsAndCollectionFreesTheirChunks() throws Exception {
        cluster = TestCluster.inJvm(base, 3, SETTINGS);
        // From a known cap, room for every version written here, to a small one.
        HistoryHttp.settings(cluster.node(0), null, 1L << 30);
        List<byte[]> contents = writeThreeVersions();
        awaitCollection();
        Map<TestNode, Long> before = blobBytes();

        // Room for one old version of the file, not two: the oldest goes.
        long cap = 6 * MiB;
        HistoryHttp.settings(cluster.node(2), null, cap);
        awaitVersions(List.of(contents.get(2), contents.get(1)), List.of(contents.get(0)));
        for (TestNode n : cluster.nodes()) {
            JsonNode s = HistoryHttp.status(n);
            assertThat(s.path("maxBytesSetting").asLong()).as("cap on " + n + ": " + s).isEqualTo(cap);
            assertThat(s.path("bytes").asLong()).as("history bytes on " + n + ": " + s).isLessThanOrEqualTo(cap);
        }
        awaitCollection();
        assertHeldEverywhere(contents.get(0), false);
        assertHeldEverywhere(contents.get(1), true);
        assertHeldEverywhere(contents.get(2), true);
        Map<TestNode, Long> afterOne = blobBytes();
        report("cap of 6 MiB", before, afterOne);
        for (TestNode n : cluster.nodes()) {
            assertThat(before.get(n) - afterOne.get(n)).as("bytes freed on " + n).isGreaterThanOrEqualTo(SIZE - MiB);
        }

        // A cap smaller than any version: no old version is left.
        HistoryHttp.settings(cluster.node(0), null, 1L);
        awaitVersions(List.of(contents.get(2)), List.of(contents.get(1)));
        awaitCollection();
        assertHeldEverywhere(contents.get(1), false);
        assertHeldEverywhere(contents.get(2), true);
        Map<TestNode, Long> afterAll = blobBytes();
        report("cap of 1 byte", afterOne, afterAll);
        for (TestNode n : cluster.nodes()) {
            assertThat(before.get(n) - afterAll.get(n)).as("bytes freed on " + n).isGreaterThanOrEqualTo(2L * SIZE - MiB);
        }
        awaitContent(cluster.nodes(), BIG, contents.get(2), T);
        cluster.awaitConverged(T);
    }

    /** The 4 MiB file written three times, on a different node each time; the contents, oldest first. */
    private List<byte[]> writeThreeVersions() throws Exception {
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] c = randomBytes(SIZE, 100 + i);
            ItSupport.write(cluster.node(i).file(BIG), c);
            awaitContent(cluster.nodes(), BIG, c, T);
            contents.add(c);
        }
        cluster.awaitConverged(T);
        awaitVersions(List.of(contents.get(2), contents.get(1), contents.get(0)), List.of());
        return contents;
    }

    /**
     * Waits until every node's history of {@link #BIG} lists exactly the versions with these
     * contents, newest first ({@code kept.get(0)} current), and none of {@code gone}. Edits a small
     * file meanwhile, as a folder in use would: a setting may take effect as versions come.
     */
    private void awaitVersions(List<byte[]> kept, List<byte[]> gone) {
        List<String> keptShas = kept.stream().map(ItSupport::sha256).toList();
        await().atMost(T).pollInterval(Duration.ofMillis(300)).ignoreExceptions().untilAsserted(() -> {
            boolean all = true;
            for (TestNode n : cluster.nodes()) {
                List<String> shas = HistoryHttp.versions(n, BIG).stream().map(v -> v.path("sha256").asText()).toList();
                if (!shas.equals(keptShas)) all = false;
            }
            if (!all) TestCluster.write(cluster.node(nudges % 3).file("nudge.txt"), "nudge " + nudges++);
            for (TestNode n : cluster.nodes()) {
                List<JsonNode> versions = HistoryHttp.versions(n, BIG);
                assertThat(versions.stream().map(v -> v.path("sha256").asText()).toList()).as("versions of " + BIG + " on " + n)
                        .isEqualTo(keptShas).doesNotContainAnyElementsOf(gone.stream().map(ItSupport::sha256).toList());
                assertThat(versions.get(0).path("current").asBoolean()).as("the newest is current on " + n).isTrue();
            }
        });
    }

    /**
     * Waits until every node's blob store has collected: a chunk that nothing references, put in
     * each store (as an upload that never finished leaves one), is gone. The store keeps chunks
     * younger than its grace period and collects after a checkpoint, so the chunks are aged and
     * small files written until checkpoints come.
     */
    private void awaitCollection() throws Exception {
        Map<TestNode, String> strays = new HashMap<>();
        for (TestNode n : cluster.nodes()) {
            byte[] stray = randomBytes((int) MiB, System.nanoTime());
            String sha = ItSupport.sha256(stray);
            ItSupport.write(HistoryHttp.blobDir(n).resolve(sha.substring(0, 2)).resolve(sha), stray);
            strays.put(n, sha);
            HistoryHttp.ageChunks(n);
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Set<TestNode> left = new HashSet<>();
            for (TestNode n : cluster.nodes()) if (HistoryHttp.holdsChunk(n, strays.get(n))) left.add(n);
            if (left.isEmpty()) return true;
            int r = fillerRound++;
            for (int i = 0; i < 20; i++) TestCluster.write(cluster.node(0).file("filler/r" + r + "/f" + i + ".txt"), "filler " + r + "/" + i);
            return false;
        });
        cluster.awaitConverged(T);
    }

    /** Whether every node's blob store holds every chunk of {@code content} ({@code held}) or none of them. */
    private void assertHeldEverywhere(byte[] content, boolean held) {
        for (TestNode n : cluster.nodes()) {
            for (String chunk : HistoryHttp.chunkHashes(content)) {
                assertThat(HistoryHttp.holdsChunk(n, chunk)).as("chunk " + chunk.substring(0, 12) + " held by " + n).isEqualTo(held);
            }
        }
    }

    private Map<TestNode, Long> blobBytes() throws Exception {
        Map<TestNode, Long> m = new HashMap<>();
        for (TestNode n : cluster.nodes()) m.put(n, HistoryHttp.blobBytes(n));
        return m;
    }

    private void report(String what, Map<TestNode, Long> before, Map<TestNode, Long> after) {
        StringBuilder b = new StringBuilder("blob stores before and after " + what + ":");
        for (TestNode n : cluster.nodes()) {
            b.append(String.format(" %s %.1f -> %.1f MiB;", n, before.get(n) / (double) MiB, after.get(n) / (double) MiB));
        }
        System.out.println(b);
    }
}
