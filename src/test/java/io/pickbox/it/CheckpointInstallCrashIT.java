package io.pickbox.it;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member killed with SIGKILL while it installs a checkpoint from its leader restarts and ends with
 * the same index as the others, and the same folder.
 */
class CheckpointInstallCrashIT {

    /** Large enough that taking the index in from the checkpoint lasts well beyond the kill. */
    private static final ManyFiles TREE = new ManyFiles("burst", 400, 100);
    /** Checkpoints often, so that the one the member is sent holds most of the burst. */
    private static final UnaryOperator<NodeConfig.Builder> SETTINGS = c -> c.snapshotEvery(50).segmentBytes(256 << 10);
    private static final Duration T = Duration.ofMinutes(2);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aMemberKilledWhileInstallingACheckpointRestartsWithTheSameIndex() throws Exception {
        long start = System.nanoTime();
        try (TestCluster cluster = TestCluster.processes(base, 3, SETTINGS, "-Xmx128m", "-Dlogback.configurationFile=" + ratisInfoLogging())) {
            TestNode lagging = cluster.node(2);
            TestCluster.write(cluster.node(0).file("first.txt"), "before the burst");
            ItSupport.awaitContent(cluster.nodes(), "first.txt", "before the burst", T);
            long behind = lagging.status().path("appliedIndex").asLong();
            lagging.stop();

            List<TestNode> up = List.of(cluster.node(0), cluster.node(1));
            TREE.write(cluster.node(0).dir());
            ManyFiles.awaitSameIndex(up, TREE.entries(), T);
            // The members' logs start after what the stopped one holds: it can only catch up from a checkpoint.
            await().atMost(T).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (TestNode n : up) {
                    if (ManyFiles.logStart(n) <= behind + 1) {
                        TestCluster.write(cluster.node(0).file("filler/" + System.nanoTime()), "filler");
                        return false;
                    }
                }
                return true;
            });

            long logBefore = ManyFiles.logSize(lagging);
            CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
                try {
                    lagging.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(T).pollInterval(Duration.ofMillis(5))
                    .until(() -> !ManyFiles.logLinesSince(lagging, logBefore, "Installing the index checkpoint").isEmpty());
            sigkill(lagging);
            assertThat(ManyFiles.logLinesSince(lagging, logBefore, "Installed the index checkpoint"))
                    .as("the kill landed before the install finished").isEmpty();
            // the first start, still waiting for the node to be healthy, gives up by itself
            starting.exceptionally(failed -> null);

            long logAfterKill = ManyFiles.logSize(lagging);
            lagging.start();
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries(), T);
            assertThat(ManyFiles.logLinesSince(lagging, logAfterKill, "Installed the index checkpoint"))
                    .as("the restarted member installed the checkpoint").isNotEmpty();
            List<List<String>> listings = new ArrayList<>();
            for (TestNode n : cluster.nodes()) listings.add(AdminListing.of(n, TREE.root));
            assertThat(listings.get(0)).hasSize(TREE.files() + TREE.dirs + 1);
            for (List<String> l : listings) assertThat(l).isEqualTo(listings.get(0));
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            cluster.awaitConvergedUnder(TREE.root, T);
            ItSupport.awaitContent(List.of(lagging), "first.txt", "before the burst", T);
            ManyFiles.assertCheckpointsHoldTheIndexOnly(lagging);
            System.out.printf("%.1f s: the member killed while installing holds the same index%n", (System.nanoTime() - start) / 1e9);
        }
    }

    /** The nodes' logging, with Ratis's account of elections and installs (its INFO lines) kept. */
    private static String ratisInfoLogging() throws Exception {
        return Path.of(CheckpointInstallCrashIT.class.getResource("/it/logback-ratis-info.xml").toURI()).toString();
    }

    /** SIGKILL to the node's process, found by its folder on its command line (it may still be starting). */
    private static void sigkill(TestNode n) {
        String dir = n.dir().toString();
        List<ProcessHandle> found = ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(dir)).orElse(false)).toList();
        assertThat(found).as("the process of " + n).hasSize(1);
        found.get(0).destroyForcibly();
        found.get(0).onExit().join();
    }
}
