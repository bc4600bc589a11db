package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitContents;
import static io.pickbox.it.ItSupport.awaitGone;
import static io.pickbox.it.ItSupport.files;
import static io.pickbox.it.ItSupport.git;
import static io.pickbox.it.ItSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The programs people really run in a synced folder (git, rsync, tar, editors, sed, a log writer,
 * two people saving at once, a node edited while it was down) on a 3-node in-JVM cluster; every
 * test ends with all folders identical. One cluster for the class; each test works in its own
 * subdirectory. Source trees are built under {@code outside/}, next to (not inside) the folders.
 */
class RealProgramsIT {

    private static final Duration T = Duration.ofSeconds(60);

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

    /** Every regular file of {@code expected} (relative path -> content) under {@code rel} on every node, and nothing else. */
    private static void awaitTree(String rel, Map<String, byte[]> expected, Duration timeout) {
        await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (TestNode x : cluster.nodes()) {
                Map<String, byte[]> actual = files(x.file(rel));
                assertThat(actual.keySet()).as("files under " + rel + " on " + x).containsExactlyInAnyOrderElementsOf(expected.keySet());
                for (var e : expected.entrySet()) {
                    assertThat(actual.get(e.getKey())).as(e.getKey() + " on " + x).isEqualTo(e.getValue());
                }
            }
        });
    }

    private static String text(int i, String name) {
        return "file " + name + " #" + i + "\n" + "x".repeat(i % 97) + "\n";
    }

    // ------------------------------------------------------------------------------------------ git

    private static Path gitSource;
    private static int gitFiles;

    /** A repository outside the folder: ~300 files on main, a branch "feature" that changes, adds and deletes files. */
    private static synchronized Path gitSource() throws Exception {
        if (gitSource != null) return gitSource;
        Path src = Files.createDirectories(outside.resolve("git-src"));
        git(src, "init", "-q", "-b", "main");
        int count = 0;
        for (int d = 0; d < 10; d++) {
            for (int s = 0; s < 3; s++) {
                for (int f = 0; f < 10; f++) {
                    TestCluster.write(src.resolve("pkg" + d + "/sub" + s + "/File" + f + ".java"), text(count++, d + "/" + s + "/" + f));
                }
            }
        }
        TestCluster.write(src.resolve("README.md"), "# a repository\n");
        Path script = src.resolve("bin/build.sh");
        TestCluster.write(script, "#!/bin/sh\necho build\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "initial: " + count + " files");

        git(src, "checkout", "-q", "-b", "feature");
        for (int f = 0; f < 10; f++) TestCluster.write(src.resolve("pkg1/sub0/File" + f + ".java"), "changed on feature " + f + "\n");
        for (int f = 0; f < 15; f++) TestCluster.write(src.resolve("feature/new/Added" + f + ".java"), "added on feature " + f + "\n");
        for (int f = 0; f < 5; f++) git(src, "rm", "-q", "pkg2/sub1/File" + f + ".java");
        git(src, "rm", "-q", "-r", "pkg3/sub2");
        TestCluster.write(src.resolve("README.md"), "# a repository\n\nwith a feature\n");
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "feature");
        git(src, "checkout", "-q", "main");
        gitFiles = count + 2;
        gitSource = src;
        return src;
    }

    /** {@code git clone} into node1's folder; returns how long the cluster took to converge. */
    private static long cloneOnNode1(String rel) throws Exception {
        Path src = gitSource();
        long t0 = System.nanoTime();
        git(n(0).dir(), "clone", "-q", src.toString(), rel);
        cluster.awaitConvergedUnder(rel, T);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void assertCleanWorkingTree(Path repo, String branch) throws Exception {
        assertThat(git(repo, "rev-parse", "--abbrev-ref", "HEAD").trim()).isEqualTo(branch);
        String status = git(repo, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all");
        assertThat(status).as("git status --porcelain in " + repo).isEmpty();
        git(repo, "fsck", "--no-progress");
    }

    @Test
    void gitCloneOnOneNodeIsAWorkingRepositoryOnAnother() throws Exception {
        long cloneMs = cloneOnNode1("repo");
        Path repo3 = n(2).file("repo");
        assertCleanWorkingTree(repo3, "main");
        assertThat(Files.readString(repo3.resolve("pkg9/sub2/File9.java"))).startsWith("file 9/2/9");
        assertThat(Files.isExecutable(repo3.resolve("bin/build.sh"))).isTrue();
        // The replicated .git works for further commands too (read-only here).
        assertThat(git(repo3, "log", "--oneline", "origin/feature").lines().count()).isEqualTo(2);
        ItSupport.assertNoConflictsUnder("repo", cluster.nodes());
        System.out.printf("git: clone of %d files converged in %d ms%n", gitFiles, cloneMs);
    }

    @Test
    void gitCheckoutOfAnotherBranchOnAnotherNode() throws Exception {
        cloneOnNode1("repo-co");
        long t0 = System.nanoTime();
        git(n(1).file("repo-co"), "checkout", "-q", "feature");
        cluster.awaitConvergedUnder("repo-co", T);
        long checkoutMs = (System.nanoTime() - t0) / 1_000_000;

        Path repo3 = n(2).file("repo-co");
        assertCleanWorkingTree(repo3, "feature");
        assertThat(Files.readString(repo3.resolve("pkg1/sub0/File3.java"))).isEqualTo("changed on feature 3\n");
        assertThat(repo3.resolve("pkg2/sub1/File0.java")).doesNotExist();
        assertThat(repo3.resolve("feature/new/Added14.java")).exists();
        for (TestNode x : cluster.nodes()) {
            assertThat(x.file("repo-co/pkg3/sub2")).as("directory removed by git checkout, on " + x).doesNotExist();
        }
        ItSupport.assertNoConflictsUnder("repo-co", cluster.nodes());
        System.out.printf("git: checkout converged in %d ms%n", checkoutMs);
    }

    // ------------------------------------------------------------------------------------------ rsync

    private static Path rsyncSource(String name) throws Exception {
        Path src = Files.createDirectories(outside.resolve(name));
        int count = 0;
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 4; b++) {
                for (int f = 0; f < 10; f++) {
                    Path p = src.resolve("lvl" + a + "/inner" + b + "/deep/doc" + f + ".txt");
                    TestCluster.write(p, text(count++, "rsync " + a + b + f));
                    if (f == 0) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
        return src;
    }

    private static void assertNoDotFiles(String rel) throws Exception {
        for (TestNode x : cluster.nodes()) {
            try (Stream<Path> s = Files.walk(x.file(rel))) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(name -> name.startsWith(".")).toList())
                        .as("rsync temp files left on " + x).isEmpty();
            }
        }
    }

    @Test
    void rsyncIntoTheFolder() throws Exception {
        Assumptions.assumeTrue(ItSupport.onPath("rsync"), "rsync is not installed: skipping the rsync test (CI installs it)");
        Path src = rsyncSource("rsync-src");
        run(outside, "rsync", "-a", src + "/", n(1).file("rs") + "/");
        awaitTree("rs", files(src), T);
        cluster.awaitConvergedUnder("rs", T);
        for (TestNode x : cluster.nodes()) {
            assertThat(Files.isExecutable(x.file("rs/lvl0/inner0/deep/doc0.txt"))).as("+x on " + x).isTrue();
            assertThat(Files.isExecutable(x.file("rs/lvl0/inner0/deep/doc1.txt"))).as("-x on " + x).isFalse();
        }
        // A second rsync of changed and added files (rsync's temp file + rename over an existing file).
        for (int f = 0; f < 5; f++) TestCluster.write(src.resolve("lvl1/inner1/deep/doc" + f + ".txt"), "rewritten, longer than before " + f + "\n");
        TestCluster.write(src.resolve("lvl2/added.txt"), "added\n");
        run(outside, "rsync", "-a", src + "/", n(1).file("rs") + "/");
        awaitTree("rs", files(src), T);
        cluster.awaitConvergedUnder("rs", T);
        assertNoDotFiles("rs");
        ItSupport.assertNoConflictsUnder("rs", cluster.nodes());
    }

    @Test
    void rsyncDeleteRemovesPartOfTheTreeEverywhere() throws Exception {
        Assumptions.assumeTrue(ItSupport.onPath("rsync"), "rsync is not installed: skipping the rsync test (CI installs it)");
        Path src = rsyncSource("rsync-del-src");
        run(outside, "rsync", "-a", src + "/", n(1).file("rsd") + "/");
        awaitTree("rsd", files(src), T);
        cluster.awaitConvergedUnder("rsd", T);

        // Part of the tree removed, some files changed, one added: rsync --delete mirrors it.
        io.pickbox.folder.AtomicFiles.deleteRecursively(src.resolve("lvl4"));
        io.pickbox.folder.AtomicFiles.deleteRecursively(src.resolve("lvl3/inner1"));
        for (int f = 0; f < 10; f += 2) Files.delete(src.resolve("lvl0/inner2/deep/doc" + f + ".txt"));
        for (int f = 0; f < 5; f++) TestCluster.write(src.resolve("lvl1/inner1/deep/doc" + f + ".txt"), "rewritten, longer than before " + f + "\n");
        TestCluster.write(src.resolve("lvl2/added.txt"), "added\n");
        run(outside, "rsync", "-a", "--delete", src + "/", n(1).file("rsd") + "/");
        awaitTree("rsd", files(src), T);
        cluster.awaitConvergedUnder("rsd", T);
        for (TestNode x : cluster.nodes()) {
            assertThat(x.file("rsd/lvl4")).as("directory removed by rsync --delete, on " + x).doesNotExist();
            assertThat(x.file("rsd/lvl3/inner1")).as("directory removed by rsync --delete, on " + x).doesNotExist();
        }
        assertNoDotFiles("rsd");
        ItSupport.assertNoConflictsUnder("rsd", cluster.nodes());
    }

    // ------------------------------------------------------------------------------------------ tar

    @Test
    void tarExtractKeepsExecutableBits() throws Exception {
        Path src = Files.createDirectories(outside.resolve("tar-src/pkg"));
        Map<String, Boolean> exec = new TreeMap<>();
        int count = 0;
        for (int d = 0; d < 4; d++) {
            for (int f = 0; f < 12; f++) {
                String rel = "pkg/dir" + d + "/nested" + (f % 3) + "/tool" + f + (f % 4 == 0 ? ".sh" : ".txt");
                Path p = outside.resolve("tar-src").resolve(rel);
                TestCluster.write(p, (f % 4 == 0 ? "#!/bin/sh\necho " + count + "\n" : text(count, rel)));
                count++;
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(f % 4 == 0 ? "rwxr-xr-x" : "rw-r--r--"));
                exec.put(rel, f % 4 == 0);
            }
        }
        Files.createDirectories(src.resolve("empty/dir"));
        Path tarball = outside.resolve("pkg.tar");
        run(outside, "tar", "-cf", tarball.toString(), "-C", outside.resolve("tar-src").toString(), "pkg");
        run(outside, "tar", "-xf", tarball.toString(), "-C", n(2).dir().toString());

        awaitTree("pkg", files(src), T);
        cluster.awaitConvergedUnder("pkg", T);
        for (TestNode x : cluster.nodes()) {
            for (var e : exec.entrySet()) {
                assertThat(Files.isExecutable(x.file(e.getKey()))).as("executable bit of " + e.getKey() + " on " + x).isEqualTo(e.getValue());
            }
            assertThat(x.file("pkg/empty/dir")).isDirectory();
        }
        ItSupport.assertNoConflictsUnder("pkg", cluster.nodes());
    }

    // ------------------------------------------------------------------------------------------ editors

    @Test
    void editorSavesBySwapFileRenameAndSedInPlace() throws Exception {
        TestCluster.write(n(0).file("edit/notes.txt"), "original notes\n");
        TestCluster.write(n(0).file("edit/later.txt"), "original later\n");
        String sedInput = "a cat and a bat\nbanana\nnothing here\n";
        TestCluster.write(n(0).file("edit/sedme.txt"), sedInput);
        awaitContent(cluster.nodes(), "edit/sedme.txt", sedInput, T);
        awaitContent(cluster.nodes(), "edit/notes.txt", "original notes\n", T);
        awaitContent(cluster.nodes(), "edit/later.txt", "original later\n", T);
        cluster.awaitConvergedUnder("edit", T);

        // vim style on node2: write the new content to a swap file, rename it over the target at once.
        Path swp = n(1).file("edit/.notes.txt.swp");
        Files.writeString(swp, "notes saved by vim\n");
        Files.move(swp, n(1).file("edit/notes.txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // ... and once more with the swap file living long enough to be committed on its own.
        Path swp2 = n(1).file("edit/.later.txt.swp");
        Files.writeString(swp2, "later saved by vim\n");
        awaitContent(cluster.nodes(), "edit/.later.txt.swp", "later saved by vim\n", T);
        Files.move(swp2, n(1).file("edit/later.txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // sed -i on node3 writes ./sedXXXXXX in the same directory and renames it over the file.
        run(n(2).file("edit"), "sed", "-i", "s/a/b/", "sedme.txt");
        String sedOutput = "b cat and a bat\nbbnana\nnothing here\n";
        assertThat(Files.readString(n(2).file("edit/sedme.txt"))).isEqualTo(sedOutput);

        Map<String, byte[]> expected = new LinkedHashMap<>();
        expected.put("notes.txt", "notes saved by vim\n".getBytes(StandardCharsets.UTF_8));
        expected.put("later.txt", "later saved by vim\n".getBytes(StandardCharsets.UTF_8));
        expected.put("sedme.txt", sedOutput.getBytes(StandardCharsets.UTF_8));
        awaitTree("edit", expected, T);
        cluster.awaitConvergedUnder("edit", T);
        for (TestNode x : cluster.nodes()) {
            assertThat(ItSupport.listing(x.file("edit"))).as("edit/ on " + x).containsExactly("later.txt", "notes.txt", "sedme.txt");
        }
        ItSupport.assertNoConflictsUnder("edit", cluster.nodes());
    }

    /**
     * git's lock files: {@code index.lock} is created empty, stays empty long enough to be
     * committed, is then written and renamed over {@code index} at once. The rename commits the
     * lock's earlier (empty) content; the final content must follow it, not become a conflict copy.
     */
    @Test
    void lockFileWrittenAndRenamedRightAfterItsEmptyVersionWasCommitted() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String index = "locks/" + i + "/index";
            Path lock = n(0).file(index + ".lock");
            ItSupport.write(lock, new byte[0]);
            awaitContent(cluster.nodes(), index + ".lock", new byte[0], T);
            String content = "index content " + i + "\n".repeat(i + 1);
            Files.writeString(lock, content);
            Files.move(lock, n(0).file(index), StandardCopyOption.ATOMIC_MOVE);
            awaitContent(cluster.nodes(), index, content, T);
            names.add(index);
        }
        cluster.awaitConvergedUnder("locks", T);
        for (TestNode x : cluster.nodes()) {
            for (String name : names) assertThat(x.file(name + ".lock")).as(name + ".lock on " + x).doesNotExist();
        }
        ItSupport.assertNoConflictsUnder("locks", cluster.nodes());
    }

    // ------------------------------------------------------------------------------------------ a growing log

    @Test
    void fileAppendedForSecondsCommitsIntermediateVersions() throws Exception {
        Path log = n(0).file("applog/log.txt");
        Files.createDirectories(log.getParent());
        Path copy = n(1).file("applog/log.txt");
        Set<String> seen = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    if (Files.exists(copy)) seen.add(Files.readString(copy));
                } catch (Exception e) {
                    // replaced between exists and read: the next poll sees it
                }
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "log-copy-watcher");
        watcher.setDaemon(true);
        watcher.start();
        StringBuilder all = new StringBuilder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        int i = 0;
        try {
            while (System.nanoTime() < end) {
                String line = String.format("%05d %s the application did something%n", i++, java.time.Instant.now());
                Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                all.append(line);
                Thread.sleep(20); // pacing the writer
            }
            String fin = all.toString();
            awaitContent(cluster.nodes(), "applog/log.txt", fin, T);
        } finally {
            watching.set(false);
            watcher.join(2000);
        }
        String fin = all.toString();
        List<String> versions = new ArrayList<>(seen);
        List<String> intermediate = versions.stream().filter(v -> !v.equals(fin)).toList();
        System.out.printf("log: %d lines written, %d distinct versions seen on node2 (sizes %s)%n", i, versions.size(),
                versions.stream().map(v -> String.valueOf(v.length())).collect(Collectors.joining(",")));
        for (String v : versions) assertThat(fin).as("every version seen on node2 is a prefix of the final log").startsWith(v);
        assertThat(intermediate).as("intermediate versions committed while the log was being written").hasSizeGreaterThanOrEqualTo(3);
        cluster.awaitConvergedUnder("applog", T);
        ItSupport.assertNoConflictsUnder("applog", cluster.nodes());
    }

    // ------------------------------------------------------------------------------------------ two writers at once

    @Test
    void twoNodesSaveTheSameFileAtTheSameMoment50Times() throws Exception {
        String rel = "race/shared.txt";
        TestCluster.write(n(0).file(rel), "initial\n");
        awaitContent(cluster.nodes(), rel, "initial\n", T);
        cluster.awaitConvergedUnder("race", T);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> winners = new ArrayList<>();
        List<String> losers = new ArrayList<>();
        try {
            for (int round = 0; round < 50; round++) {
                String a = "round " + round + " written on node1\n";
                String b = "round " + round + " written on node2, a little longer\n";
                CountDownLatch go = new CountDownLatch(1);
                Future<?> fa = pool.submit(() -> {
                    go.await();
                    Files.writeString(n(0).file(rel), a);
                    return null;
                });
                Future<?> fb = pool.submit(() -> {
                    go.await();
                    Files.writeString(n(1).file(rel), b);
                    return null;
                });
                go.countDown();
                fa.get(10, TimeUnit.SECONDS);
                fb.get(10, TimeUnit.SECONDS);
                cluster.awaitConvergedUnder("race", T);
                String winner = Files.readString(n(2).file(rel));
                assertThat(winner).as("shared.txt after round " + round).isIn(a, b);
                winners.add(winner);
                losers.add(winner.equals(a) ? b : a);
                assertThat(conflictContents(n(2))).as("conflict copies after round " + round).contains(losers.get(round));
            }
        } finally {
            pool.shutdownNow();
        }
        cluster.awaitConvergedUnder("race", T);
        for (TestNode x : cluster.nodes()) {
            assertThat(Files.readString(x.file(rel))).as("final shared.txt on " + x).isEqualTo(winners.get(49));
            List<String> copies = conflictContents(x);
            assertThat(copies).as("every losing write is a conflict copy on " + x).containsAll(losers);
            assertThat(copies).as("no conflict copies other than the 50 losing writes on " + x).hasSameSizeAs(losers);
            assertThat(ItSupport.listing(x.file("race"))).allMatch(p -> p.equals("shared.txt") || p.matches("shared\\.conflict-node[12]-.*\\.txt"));
        }
        long fromNode1 = winners.stream().filter(w -> w.contains("node1")).count();
        System.out.printf("race: node1 won %d rounds, node2 %d%n", fromNode1, 50 - fromNode1);
    }

    private static List<String> conflictContents(TestNode x) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(x.file("race"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("shared.conflict-")).sorted().toList()) {
                out.add(Files.readString(p));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ edits while a node is down

    @Test
    void editsMadeWhileANodeWasDownMergeWhenItComesBack() throws Exception {
        Map<String, String> initial = new LinkedHashMap<>();
        for (String name : List.of("only-node3.txt", "only-cluster.txt", "both.txt", "del-on-node3.txt", "del-on-cluster.txt", "same-edit.txt")) {
            initial.put("offline/" + name, "initial " + name + "\n");
        }
        for (var e : initial.entrySet()) TestCluster.write(n(0).file(e.getKey()), e.getValue());
        for (var e : initial.entrySet()) awaitContent(cluster.nodes(), e.getKey(), e.getValue(), T);
        cluster.awaitConvergedUnder("offline", T);

        TestNode node3 = n(2);
        node3.stop();
        List<TestNode> up = List.of(n(0), n(1));

        // On node3's folder, while it is down.
        Files.writeString(node3.file("offline/only-node3.txt"), "edited on node3 while down\n");
        Files.writeString(node3.file("offline/both.txt"), "both: node3's version\n");
        Files.writeString(node3.file("offline/same-edit.txt"), "the same edit on both sides\n");
        Files.writeString(node3.file("offline/new-on-node3.txt"), "created on node3 while down\n");
        Files.delete(node3.file("offline/del-on-node3.txt"));
        // On the cluster meanwhile.
        Files.writeString(n(0).file("offline/only-cluster.txt"), "edited on the cluster\n");
        Files.writeString(n(0).file("offline/both.txt"), "both: the cluster's version\n");
        Files.writeString(n(0).file("offline/same-edit.txt"), "the same edit on both sides\n");
        Files.writeString(n(0).file("offline/new-on-cluster.txt"), "created on the cluster\n");
        Files.delete(n(0).file("offline/del-on-cluster.txt"));
        awaitContent(up, "offline/both.txt", "both: the cluster's version\n", T);
        awaitContent(up, "offline/only-cluster.txt", "edited on the cluster\n", T);
        awaitContent(up, "offline/new-on-cluster.txt", "created on the cluster\n", T);
        awaitGone(up, "offline/del-on-cluster.txt", T);
        cluster.awaitConvergedUnder("offline", T);

        node3.start();
        Map<String, String> expected = new TreeMap<>();
        expected.put("offline/only-node3.txt", "edited on node3 while down\n");
        expected.put("offline/only-cluster.txt", "edited on the cluster\n");
        expected.put("offline/both.txt", "both: the cluster's version\n");
        expected.put("offline/same-edit.txt", "the same edit on both sides\n");
        expected.put("offline/new-on-node3.txt", "created on node3 while down\n");
        expected.put("offline/new-on-cluster.txt", "created on the cluster\n");
        awaitContents(cluster.nodes(), expected.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().getBytes(StandardCharsets.UTF_8))), T);
        awaitGone(cluster.nodes(), "offline/del-on-node3.txt", T);
        cluster.awaitConvergedUnder("offline", T);

        for (TestNode x : cluster.nodes()) {
            List<String> listing = ItSupport.listing(x.file("offline"));
            List<String> copies = listing.stream().filter(p -> p.contains(".conflict-")).toList();
            assertThat(copies).as("conflict copies on " + x).hasSize(1);
            assertThat(copies.get(0)).matches("both\\.conflict-node3-.*\\.txt");
            assertThat(Files.readString(x.file("offline/" + copies.get(0)))).isEqualTo("both: node3's version\n");
            assertThat(listing).as("offline/ on " + x).containsExactlyInAnyOrder("both.txt", copies.get(0), "new-on-cluster.txt",
                    "new-on-node3.txt", "only-cluster.txt", "only-node3.txt", "same-edit.txt");
            assertThat(x.file("offline/del-on-cluster.txt")).as("deleted by the cluster, not resurrected by node3").doesNotExist();
        }
        cluster.awaitConverged(T);
    }
}
