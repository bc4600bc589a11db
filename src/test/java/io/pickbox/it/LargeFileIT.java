package io.pickbox.it;

import io.pickbox.folder.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invariant 6 (bounded memory): a 200 MiB file replicates through nodes whose heap is 128 MiB, and a 1 MiB
 * overwrite in its middle sends only the changed chunks.
 */
class LargeFileIT {

    private static final int MIB = 1 << 20;
    private static final int SIZE_MIB = 200;
    private static final String REL = "large/big-200m.bin";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.processes(base, 3, "-Xmx128m", "-XX:G1HeapRegionSize=4m", "-XX:MaxDirectMemorySize=64m");
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
            // the large files go whatever the outcome (the temp dir is kept on failure for the logs)
            for (TestNode n : cluster.nodes()) {
                Files.deleteIfExists(n.file(REL));
                AtomicFiles.deleteRecursively(n.dir().resolve(".pickbox/blobs"));
                AtomicFiles.deleteRecursively(n.dir().resolve(".pickbox/raft"));
            }
        }
    }

    /** Writes {@code sizeMib} seeded random MiB into {@code file}, 1 MiB at a time; returns the SHA-256. */
    private static String writeRandom(Path file, int sizeMib, long seed) throws Exception {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < sizeMib; i++) {
                random.nextBytes(buf);
                md.update(buf);
                out.write(buf);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Set<String> blobs(TestNode n) throws IOException {
        return ItSupport.filesWhileChanging(HistoryHttp.blobDir(n)).keySet().stream()
                .map(p -> p.getFileName().toString())
                .filter(name -> name.matches("[0-9a-f]{64}")).collect(Collectors.toCollection(HashSet::new));
    }

    /** The SHA-256 of the large file's content as the node's API serves it. */
    private static String contentSha(TestNode n) throws Exception {
        var r = AdminHttp.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + n.adminAddress() + "/v1/files/" + REL + "?content")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).as("status from " + n).isEqualTo(200);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = r.body()) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) md.update(buf, 0, k);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void awaitSha(String sha, Duration timeout) {
        long size = (long) SIZE_MIB * MIB;
        await().atMost(timeout).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .untilAsserted(() -> {
                    for (TestNode n : cluster.nodes()) {
                        assertThat(n.running()).as(n + " is running: " + n.tail()).isTrue();
                        assertThat(Files.size(n.file(REL))).as("size on " + n).isEqualTo(size);
                    }
                    for (TestNode n : cluster.nodes()) assertThat(ItSupport.sha256(n.file(REL))).as("sha256 on " + n).isEqualTo(sha);
                });
    }

    private static void assertNoOutOfMemory() throws IOException {
        assertThat(ItSupport.logLinesContaining(cluster.nodes(), "OutOfMemoryError")).as("OOM in node logs").isEmpty();
        for (TestNode n : cluster.nodes()) assertThat(n.running()).as(n + " still running").isTrue();
    }

    @Test
    void twoHundredMibReplicateThroughSmallHeapsAndAMiddleOverwriteIsDeduplicated() throws Exception {
        TestNode writer = cluster.node(0);
        TestNode observer = cluster.node(1);

        long t0 = System.nanoTime();
        String sha = writeRandom(writer.file(REL), SIZE_MIB, 2024);
        // Status reports the transfer in progress (what `cluster status --watch` draws as a bar).
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            for (TestNode n : cluster.nodes()) {
                for (var t : n.status().path("transfers")) {
                    if (t.path("path").asText().equals(REL) && t.path("total").asLong() == SIZE_MIB * (1L << 20)) return true;
                }
            }
            return false;
        });
        awaitSha(sha, Duration.ofSeconds(180));
        System.err.println("TEST: 200 MiB replicated in " + Duration.ofNanos(System.nanoTime() - t0));
        cluster.awaitConverged(Duration.ofSeconds(60));
        assertNoOutOfMemory();
        // One copy on every node, the file itself: the writer keeps no blob of its chunks, and the
        // others assembled the file from the pushed chunks without keeping them as blobs too.
        for (TestNode n : cluster.nodes()) assertThat(HistoryHttp.blobBytes(n)).as("bytes of blobs on " + n).isLessThan(8L * MIB);
        // Every node serves the file's content from that copy.
        for (TestNode n : cluster.nodes()) assertThat(contentSha(n)).as("content served by " + n).isEqualTo(sha);

        // Overwrite 1 MiB in the middle, in place.
        Set<String> before = blobs(observer);
        byte[] patch = ItSupport.randomBytes(MIB, 77);
        try (RandomAccessFile raf = new RandomAccessFile(writer.file(REL).toFile(), "rw")) {
            raf.seek(100L * MIB);
            raf.write(patch);
            raf.getFD().sync();
        }
        String patchedSha = ItSupport.sha256(writer.file(REL));
        assertThat(patchedSha).isNotEqualTo(sha);
        long t1 = System.nanoTime();
        awaitSha(patchedSha, Duration.ofSeconds(90));
        System.err.println("TEST: 1 MiB overwrite converged in " + Duration.ofNanos(System.nanoTime() - t1));
        cluster.awaitConverged(Duration.ofSeconds(60));
        Set<String> added = new HashSet<>(blobs(observer));
        added.removeAll(before);
        System.err.println("TEST: " + observer + " had " + before.size() + " blobs, " + added.size() + " new after the overwrite");
        assertThat(added.size()).as("new blobs on " + observer + " after a 1 MiB overwrite (chunk dedup)").isLessThan(8);
        assertNoOutOfMemory();

        // A fourth node joins a cluster holding the file and 2,000 small files, under the same small
        // heap: Ratis keeps each appended entry with its bytes until apply, so a node catching up
        // must not append far ahead of applying.
        for (int i = 0; i < 2000; i++) TestCluster.write(writer.file("small/d" + (i % 20) + "/f" + i), "small file " + i + "\n");
        cluster.awaitConverged(Duration.ofSeconds(120));
        long t2 = System.nanoTime();
        cluster.addNode();
        awaitSha(patchedSha, Duration.ofSeconds(180));
        cluster.awaitConverged(Duration.ofSeconds(120));
        System.err.println("TEST: a fourth node caught up in " + Duration.ofNanos(System.nanoTime() - t2));
        assertNoOutOfMemory();

        // Clean up: delete it through the cluster.
        Files.delete(writer.file(REL));
        ItSupport.awaitGone(cluster.nodes(), REL, Duration.ofSeconds(60));
        cluster.awaitConverged(Duration.ofSeconds(60));
    }
}
