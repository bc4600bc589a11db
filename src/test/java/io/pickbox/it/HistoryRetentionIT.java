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
        List<byte[]> old = contents.subList(0, 2);

        // Kept versions keep their chunks through a collection.
        Map<String, Set<TestNode>> held = holders(old);
        awaitCollection();
        assertKept(old, held);
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
        assertGone(old);
        awaitContent(cluster.nodes(), BIG, contents.get(2), T);
        assertFreed("the purge", before, blobBytes(), held);
    }

    @Test
    void aSmallCapRemovesTheOldestVersionsAndCollectionFreesTheirChunks() throws Exception {
        cluster = TestCluster.inJvm(base, 3, SETTINGS);
        // From a known cap, room for every version written here, to a small one.
        HistoryHttp.settings(cluster.node(0), null, 1L << 30);
        List<byte[]> contents = writeThreeVersions();
        Map<String, Set<TestNode>> heldFirst = holders(contents.subList(0, 1));
        Map<String, Set<TestNode>> heldSecond = holders(contents.subList(1, 2));
        awaitCollection();
        assertKept(contents.subList(0, 1), heldFirst);
        assertKept(contents.subList(1, 2), heldSecond);
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
        assertGone(contents.subList(0, 1));
        assertKept(contents.subList(1, 2), heldSecond);
        Map<TestNode, Long> afterOne = blobBytes();
        assertFreed("a cap of 6 MiB", before, afterOne, heldFirst);

        // A cap smaller than any version: no old version is left.
        HistoryHttp.settings(cluster.node(0), null, 1L);
        awaitVersions(List.of(contents.get(2)), List.of(contents.get(1)));
        awaitCollection();
        assertGone(contents.subList(1, 2));
        assertFreed("a cap of 1 byte", afterOne, blobBytes(), heldSecond);
        awaitContent(cluster.nodes(), BIG, contents.get(2), T);
        cluster.awaitConverged(T);
    }

    /**
     * History costs only what changed: an edit of one chunk of a large file adds that chunk to what
     * the history holds, not the file's size (the other chunks are the current file's), and a rename
     * adds nothing. What the history holds is what the cap is measured against.
     */
    @Test
    void anEditOfOneChunkOfALargeFileCostsTheHistoryThatChunkOnly() throws Exception {
        cluster = TestCluster.inJvm(base, 3, SETTINGS);
        byte[] first = randomBytes(SIZE, 200);
        ItSupport.write(cluster.node(0).file(BIG), first);
        awaitContent(cluster.nodes(), BIG, first, T);
        byte[] edited = first.clone();
        System.arraycopy(randomBytes((int) MiB, 201), 0, edited, (int) MiB, (int) MiB);
        try (var f = new java.io.RandomAccessFile(cluster.node(1).file(BIG).toFile(), "rw")) {
            f.seek(MiB);
            f.write(edited, (int) MiB, (int) MiB);
        }
        awaitContent(cluster.nodes(), BIG, edited, T);
        cluster.awaitConverged(T);
        String replaced = HistoryHttp.chunkHashes(first).get(1);
        await().atMost(T).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) {
                assertThat(HistoryHttp.versions(n, BIG)).as("versions of " + BIG + " on " + n).hasSize(2);
                JsonNode s = HistoryHttp.status(n);
                assertThat(s.path("bytes").asLong()).as("history bytes on " + n + " after a 1 MiB edit: " + s).isEqualTo(MiB);
            }
        });
        assertThat(cluster.nodes().stream().filter(n -> HistoryHttp.holdsChunk(n, replaced)).toList())
                .as("nodes holding the replaced chunk").isNotEmpty();

        Files.move(cluster.node(2).file(BIG), cluster.node(2).file("big/moved.bin"));
        awaitContent(cluster.nodes(), "big/moved.bin", edited, T);
        cluster.awaitConverged(T);
        for (TestNode n : cluster.nodes()) {
            JsonNode s = HistoryHttp.status(n);
            assertThat(s.path("bytes").asLong()).as("history bytes on " + n + " after a rename: " + s).isEqualTo(MiB);
        }
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
                List<String> shas = versions.stream().map(v -> v.path("sha256").asText()).toList();
                assertThat(shas).as("versions of " + BIG + " on " + n).isEqualTo(keptShas);
                for (byte[] g : gone) assertThat(shas).as("versions of " + BIG + " on " + n).doesNotContain(ItSupport.sha256(g));
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

    /**
     * Which nodes' blob stores hold each chunk of these contents, each chunk held somewhere: a kept
     * version's bytes must be there for any node to fetch when it restores the version. (A node
     * that replaced a file through the folder keeps its old chunks; the node where the next version
     * was written over it in place cannot.)
     */
    private Map<String, Set<TestNode>> holders(List<byte[]> contents) {
        Map<String, Set<TestNode>> out = new HashMap<>();
        for (byte[] c : contents) {
            for (String chunk : HistoryHttp.chunkHashes(c)) {
                Set<TestNode> nodes = new HashSet<>();
                for (TestNode n : cluster.nodes()) if (HistoryHttp.holdsChunk(n, chunk)) nodes.add(n);
                assertThat(nodes).as("nodes holding chunk " + chunk.substring(0, 12) + " of a kept version").isNotEmpty();
                out.put(chunk, nodes);
            }
        }
        return out;
    }

    /** Every chunk of these kept versions is still where it was ({@code held}). */
    private void assertKept(List<byte[]> contents, Map<String, Set<TestNode>> held) {
        Map<String, Set<TestNode>> now = holders(contents);
        for (var e : now.entrySet()) {
            assertThat(e.getValue()).as("nodes holding chunk " + e.getKey().substring(0, 12) + " of a kept version")
                    .containsAll(held.get(e.getKey()));
        }
    }

    /** No node holds a chunk of these versions any more. */
    private void assertGone(List<byte[]> contents) {
        for (byte[] c : contents) {
            for (String chunk : HistoryHttp.chunkHashes(c)) {
                for (TestNode n : cluster.nodes()) {
                    assertThat(HistoryHttp.holdsChunk(n, chunk)).as("chunk " + chunk.substring(0, 12) + " of a removed version on " + n)
                            .isFalse();
                }
            }
        }
    }

    /** Each node's blob store shrank by at least the chunks it held of the removed versions ({@code held}). */
    private void assertFreed(String what, Map<TestNode, Long> before, Map<TestNode, Long> after, Map<String, Set<TestNode>> held) {
        report(what, before, after);
        long total = 0;
        for (TestNode n : cluster.nodes()) {
            long chunks = held.values().stream().filter(s -> s.contains(n)).count();
            long freed = before.get(n) - after.get(n);
            total += freed;
            // (the small files written to bring checkpoints add a few KiB)
            assertThat(freed).as("bytes freed on " + n + ", which held " + chunks + " chunks of the removed versions")
                    .isGreaterThanOrEqualTo(chunks * MiB - MiB / 4);
        }
        assertThat(total).as("bytes freed on all nodes").isGreaterThanOrEqualTo(held.size() * MiB - MiB / 4);
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
