package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Everyday file operations made on any node reach every node. One 3-node cluster for the class. */
class ReplicationIT {

    @TempDir
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void createModifyAppendDeleteFromEachNode() throws Exception {
        for (TestNode n : cluster.nodes()) {
            String rel = "cmad-" + n.id() + ".txt";
            Files.writeString(n.file(rel), "one");
            awaitContent(cluster.nodes(), rel, "one".getBytes(), T);
            Files.writeString(n.file(rel), "two, longer");
            awaitContent(cluster.nodes(), rel, "two, longer".getBytes(), T);
            Files.writeString(n.file(rel), " and appended", StandardOpenOption.APPEND);
            awaitContent(cluster.nodes(), rel, "two, longer and appended".getBytes(), T);
            Files.delete(n.file(rel));
            awaitGone(cluster.nodes(), rel, T);
        }
        cluster.awaitConverged();
    }

    @Test
    void nestedSpacedAndUnicodeNames() throws Exception {
        String[] names = {"a/b/c/deep.txt", "with space/file name.txt", "ünïcödé/日本語.txt", "emoji 🎉/x.md"};
        for (int i = 0; i < names.length; i++) {
            TestNode n = cluster.node(i % 3);
            TestCluster.write(n.file(names[i]), "content " + i);
        }
        for (int i = 0; i < names.length; i++) awaitContent(cluster.nodes(), names[i], ("content " + i).getBytes(), T);
        cluster.awaitConverged();
    }

    @Test
    void binaryEmptyAndExecutableFiles() throws Exception {
        byte[] binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        Files.createDirectories(cluster.node(0).file("bin"));
        Files.write(cluster.node(0).file("bin/blob.bin"), binary, StandardOpenOption.CREATE_NEW);
        Files.createDirectories(cluster.node(1).file("bin2"));
        Files.write(cluster.node(1).file("bin2/empty"), new byte[0]);
        Path script = cluster.node(2).file("run.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        awaitContent(cluster.nodes(), "bin/blob.bin", binary, T);
        awaitContent(cluster.nodes(), "bin2/empty", new byte[0], T);
        awaitContent(cluster.nodes(), "run.sh", "#!/bin/sh\necho hi\n".getBytes(), T);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(Files.isExecutable(n.file("run.sh"))).as("exec on " + n).isTrue();
        });
        // mode-only change
        Files.setPosixFilePermissions(cluster.node(0).file("run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(Files.isExecutable(n.file("run.sh"))).as("exec on " + n).isFalse();
        });
        cluster.awaitConverged();
    }

    @Test
    void directoriesCreateRenameDelete() throws Exception {
        Files.createDirectories(cluster.node(0).file("dirs/empty/inner"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (TestNode n : cluster.nodes()) assertThat(n.file("dirs/empty/inner")).isDirectory();
        });
        for (int i = 0; i < 50; i++) TestCluster.write(cluster.node(1).file("dirs/full/f" + i + ".txt"), "f" + i);
        awaitContent(cluster.nodes(), "dirs/full/f49.txt", "f49".getBytes(), T);
        cluster.awaitConverged();

        long opsBefore = cluster.node(0).appliedOps();
        Files.move(cluster.node(2).file("dirs/full"), cluster.node(2).file("dirs/moved"));
        awaitContent(cluster.nodes(), "dirs/moved/f0.txt", "f0".getBytes(), T);
        awaitGone(cluster.nodes(), "dirs/full", T);
        cluster.awaitConverged();
        assertThat(cluster.node(0).appliedOps() - opsBefore).as("a directory rename is one op").isEqualTo(1);

        io.pickbox.folder.AtomicFiles.deleteRecursively(cluster.node(0).file("dirs/moved"));
        awaitGone(cluster.nodes(), "dirs/moved", T);
        Files.delete(cluster.node(1).file("dirs/empty/inner"));
        awaitGone(cluster.nodes(), "dirs/empty/inner", T);
        cluster.awaitConverged();
    }

    @Test
    void renameFileThenReuseOldName() throws Exception {
        TestNode n = cluster.node(1);
        Files.writeString(n.file("mv-a"), "old content of a");
        awaitContent(cluster.nodes(), "mv-a", "old content of a".getBytes(), T);
        Files.move(n.file("mv-a"), n.file("mv-b"));
        Files.writeString(n.file("mv-a"), "x");
        awaitContent(cluster.nodes(), "mv-b", "old content of a".getBytes(), T);
        awaitContent(cluster.nodes(), "mv-a", "x".getBytes(), T);
        cluster.awaitConverged();
    }

    /** A rename commits the moved files under new versions; changes made right after it build on them. */
    @Test
    void changesMadeRightAfterARenameApplyToTheMovedFiles() throws Exception {
        TestNode n = cluster.node(0);
        for (int i = 0; i < 5; i++) TestCluster.write(n.file("quick/src/f" + i + ".txt"), "v1 " + i);
        TestCluster.write(n.file("quick/gone/g.txt"), "g");
        awaitContent(cluster.nodes(), "quick/src/f4.txt", "v1 4".getBytes(), T);
        awaitContent(cluster.nodes(), "quick/gone/g.txt", "g".getBytes(), T);
        cluster.awaitConverged();

        Files.move(n.file("quick/src"), n.file("quick/dst"));
        Files.writeString(n.file("quick/dst/f0.txt"), "v2 0");
        Files.delete(n.file("quick/dst/f1.txt"));
        Files.move(n.file("quick/dst/f2.txt"), n.file("quick/dst/f2-renamed.txt"));
        Files.move(n.file("quick/gone"), n.file("quick/gone2"));
        io.pickbox.folder.AtomicFiles.deleteRecursively(n.file("quick/gone2"));

        awaitContent(cluster.nodes(), "quick/dst/f0.txt", "v2 0".getBytes(), T);
        awaitContent(cluster.nodes(), "quick/dst/f2-renamed.txt", "v1 2".getBytes(), T);
        awaitGone(cluster.nodes(), "quick/gone2", T);
        cluster.awaitConverged();
        for (TestNode x : cluster.nodes()) {
            assertThat(ItSupport.listing(x.file("quick"))).as("quick/ on " + x)
                    .containsExactly("dst", "dst/f0.txt", "dst/f2-renamed.txt", "dst/f3.txt", "dst/f4.txt");
        }
        ItSupport.assertNoConflictsUnder("quick", cluster.nodes());
    }

    /**
     * Metadata-only changes in a burst, as a file manager or a script makes them: each node ends with
     * exactly the renamed files and their contents, nothing deleted comes back, and an atomic save
     * made in the middle (write a temp file, rename it over the original) stays one replacement.
     */
    @Test
    void hundredRenamesThenHundredDeletesOfSingleFiles() throws Exception {
        TestNode n = cluster.node(0);
        java.util.Map<String, byte[]> written = new java.util.TreeMap<>();
        for (int i = 0; i < 200; i++) {
            byte[] content = ItSupport.randomBytes(1024, i);
            ItSupport.write(n.file(String.format("meta/f%03d.txt", i)), content);
            written.put(String.format("meta/f%03d.txt", i), content);
        }
        TestCluster.write(n.file("meta/doc.txt"), "saved once");
        ItSupport.awaitContents(cluster.nodes(), written, T);
        awaitContent(cluster.nodes(), "meta/doc.txt", "saved once", T);
        cluster.awaitConverged();

        java.util.Map<String, byte[]> expected = new java.util.TreeMap<>();
        for (int i = 0; i < 100; i++) {
            Files.move(n.file(String.format("meta/f%03d.txt", i)), n.file(String.format("meta/renamed-%03d.txt", i)));
            expected.put(String.format("meta/renamed-%03d.txt", i), written.get(String.format("meta/f%03d.txt", i)));
        }
        Files.writeString(n.file("meta/.doc.txt.swp"), "saved twice");
        Files.move(n.file("meta/.doc.txt.swp"), n.file("meta/doc.txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        for (int i = 100; i < 200; i++) Files.delete(n.file(String.format("meta/f%03d.txt", i)));
        expected.put("meta/doc.txt", "saved twice".getBytes());

        ItSupport.awaitContents(cluster.nodes(), expected, T);
        cluster.awaitConverged();
        for (TestNode x : cluster.nodes()) {
            assertThat(ItSupport.listing(x.file("meta"))).as("meta/ on " + x)
                    .containsExactlyElementsOf(expected.keySet().stream().map(p -> p.substring("meta/".length())).toList());
        }
        ItSupport.assertNoConflictsUnder("meta", cluster.nodes());
    }

    @Test
    void twentyFilesWrittenConcurrentlyOnThreeNodes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> done = new ArrayList<>();
        for (TestNode n : cluster.nodes()) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 20; i++) TestCluster.write(n.file("conc/" + n.id() + "-" + i), n.id() + i);
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
        for (TestNode n : cluster.nodes()) {
            for (int i = 0; i < 20; i++) awaitContent(cluster.nodes(), "conc/" + n.id() + "-" + i, (n.id() + i).getBytes(), T);
        }
        cluster.awaitConverged();
    }
}
