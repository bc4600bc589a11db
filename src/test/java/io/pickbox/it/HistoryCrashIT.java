package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL during the restore of a 5,000-file tree: the node that runs the restore is killed while
 * the restore commits and started again; the cluster converges on one state in which each file is
 * either restored, whole, or still deleted, the same on every node, never torn. Running the
 * restore again completes it, with a follower killed and restarted meanwhile. Node processes.
 */
class HistoryCrashIT {

    private static final ManyFiles TREE = new ManyFiles("restored", 50, 100);
    private static final Duration T = Duration.ofMinutes(2);
    private static final Duration GAP = Duration.ofMillis(100);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aNodeKilledDuringARestoreLeavesEveryPathWholeAndTheRestoreCompletesWhenRunAgain() throws Exception {
        long start = System.nanoTime();
        try (TestCluster cluster = TestCluster.processes(base, 3)) {
            TestNode runner = cluster.node(0);
            TREE.write(cluster.node(1).dir());
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries(), T);
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            long at = HistoryHttp.noteTime(runner, GAP);
            ItSupport.run(cluster.node(2).dir(), "rm", "-rf", TREE.root);
            ItSupport.awaitGone(cluster.nodes(), TREE.root, T);
            await().atMost(T).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (TestNode n : cluster.nodes()) assertThat(AdminListing.of(n, TREE.root)).as("entries on " + n).isEmpty();
            });
            ManyFiles.awaitSameIndex(cluster.nodes(), 0, T);
            log("a tree of %d files written on node2, removed with rm -rf on node3", TREE.files(), start);

            // The runner is killed as soon as the restore's first paths are committed.
            TestNode watcher = cluster.node(1);
            long entries = watcher.status().path("files").asLong();
            CompletableFuture<JsonNode> first = restoreInBackground(runner, at);
            await().atMost(T).pollInterval(Duration.ofMillis(2))
                    .until(() -> first.isDone() || watcher.status().path("files").asLong() > entries);
            runner.kill();
            long committedAtKill = watcher.status().path("files").asLong() - entries;
            boolean finishedFirst = first.isDone() && !first.isCompletedExceptionally();
            log(finishedFirst ? "the restore had finished before the kill (%d entries back)"
                    : "node1 killed during the restore, %d entries back so far", (int) committedAtKill, start);

            runner.start();
            ManyFiles.awaitSameIndex(cluster.nodes(), 0, T);
            List<String> index = awaitSameIndexUnder(cluster.nodes());
            long restoredFiles = awaitWholeOrAbsent(cluster, index);
            log("after the restart every node holds the same %d restored files, none torn", (int) restoredFiles, start);
            ItSupport.assertNoConflictsUnder(TREE.root, cluster.nodes());

            // Again, from the start; a follower is killed while it runs.
            TestNode leader = cluster.leader();
            TestNode victim = cluster.nodes().stream().filter(n -> n != leader && n != runner).findFirst().orElseThrow();
            long before = watcher == victim ? runner.status().path("files").asLong() : watcher.status().path("files").asLong();
            TestNode counter = watcher == victim ? runner : watcher;
            CompletableFuture<JsonNode> again = restoreInBackground(runner, at);
            await().atMost(T).pollInterval(Duration.ofMillis(2))
                    .until(() -> again.isDone() || counter.status().path("files").asLong() > before);
            victim.kill();
            JsonNode report = again.get(T.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(report.path("restored").asLong() + report.path("unchanged").asLong()).as("restored + unchanged: " + report)
                    .isGreaterThanOrEqualTo(TREE.files());
            assertThat(report.path("kept").asLong()).as("kept: " + report).isZero();
            assertThat(report.path("conflicts").asLong()).as("conflicts: " + report).isZero();
            victim.start();
            System.out.printf("the restore run again: %s; %s killed during it and restarted%n", report, victim);

            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries(), T);
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            cluster.awaitConvergedUnder(TREE.root, T);
            for (TestNode n : cluster.nodes()) HistoryRestoreIT.assertHoldsEveryFile(TREE, n);
            List<List<String>> listings = new ArrayList<>();
            for (TestNode n : cluster.nodes()) listings.add(AdminListing.of(n, TREE.root));
            assertThat(listings.get(0)).hasSize(TREE.entries());
            for (List<String> l : listings) assertThat(l).isEqualTo(listings.get(0));
            ItSupport.assertNoConflictsUnder(TREE.root, cluster.nodes());
            for (TestNode n : cluster.nodes()) assertThat(n.running()).as(n + " stayed up:\n" + n.tail()).isTrue();
            log("all %d files back on every node", TREE.files(), start);
        }
    }

    /** The restore of the tree to {@code at}, asked of {@code n} on another thread; fails if the node dies meanwhile. */
    private static CompletableFuture<JsonNode> restoreInBackground(TestNode n, long at) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HistoryHttp.restoreTree(n, TREE.root, at);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until every node lists the same index entries under the tree; returns them. */
    private static List<String> awaitSameIndexUnder(List<TestNode> nodes) {
        List<List<String>> seen = new ArrayList<>();
        await().atMost(T).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            seen.clear();
            for (TestNode n : nodes) seen.add(AdminListing.of(n, TREE.root));
            for (List<String> l : seen) assertThat(l).isEqualTo(seen.get(0));
        });
        return seen.get(0);
    }

    /**
     * Waits until every node's folder holds the tree the index holds, each file with its whole
     * content, and the folders are identical; every file of the tree is whole or absent. Returns
     * how many files each node holds.
     */
    private static long awaitWholeOrAbsent(TestCluster cluster, List<String> index) throws Exception {
        if (index.isEmpty()) {
            ItSupport.awaitGone(cluster.nodes(), TREE.root, T);
            return 0;
        }
        cluster.awaitConvergedUnder(TREE.root, T);
        long held = -1;
        for (TestNode n : cluster.nodes()) {
            long count = 0;
            for (int d = 0; d < TREE.dirs; d++) {
                for (int f = 0; f < TREE.filesPerDir; f++) {
                    Path p = n.file(TREE.root + "/d" + d + "/f" + f);
                    if (!Files.exists(p)) continue;
                    assertThat(p).as("a restored file on " + n).hasBinaryContent(TREE.content(d, f));
                    count++;
                }
            }
            if (held >= 0) assertThat(count).as("files held by " + n).isEqualTo(held);
            held = count;
        }
        return held;
    }

    private static void log(String what, int n, long start) {
        System.out.printf("%.1f s: %s%n", (System.nanoTime() - start) / 1e9, String.format(what, n));
    }
}
