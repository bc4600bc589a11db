package io.pickbox.it;

import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hundred thousand files in nodes with a small heap: three nodes converge; a node restarted (from
 * a state directory whose checkpoints an earlier version took) is current again; and once the log is
 * purged behind a checkpoint, a new node joins from the checkpoint and the log after it.
 */
class LargeTreeIT {

    private static final ManyFiles TREE = new ManyFiles("tree", 1_000, 100);
    private static final String HEAP = "-Xmx128m";
    /**
     * Not much more direct memory than the checkpoint's size (13 MB here) and what gRPC and the
     * peer port use anyway: sending a checkpoint must not need memory in proportion to it (a leader
     * ran out of its 64 MB sending a 127 MB checkpoint to a new node, which then never got any).
     */
    private static final String DIRECT = "-XX:MaxDirectMemorySize=24m";
    /** Checkpoints and log purges happen during the burst, not only at a million entries. */
    private static final UnaryOperator<NodeConfig.Builder> SETTINGS = c -> c.snapshotEvery(200).segmentBytes(256 << 10);
    private static final Duration T = Duration.ofMinutes(3);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aHundredThousandFilesConvergeSurviveARestartAndReachANewNodeThroughACheckpoint() throws Exception {
        long start = System.nanoTime();
        try (TestCluster cluster = TestCluster.processes(base, 3, SETTINGS, HEAP, DIRECT)) {
            TREE.write(cluster.node(0).dir());
            log("wrote %d files", TREE.files(), start);
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries(), T);
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            log("3 nodes converged on %d files", TREE.files(), start);

            // A restart, from checkpoints as an earlier version left them, with files written meanwhile.
            TestNode restarted = cluster.node(2);
            restarted.stop();
            ManyFiles.checkpointTheWholeStoreAsBefore(restarted);
            long logBefore = ManyFiles.logSize(restarted);
            for (int i = 0; i < 20; i++) TestCluster.write(cluster.node(0).file("while-down/f" + i), "written while node3 was down " + i);
            restarted.start();
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries() + 21, T);
            ItSupport.awaitContent(List.of(restarted), "while-down/f19", "written while node3 was down 19", T);
            TREE.awaitHeldBy(restarted, T);
            assertThat(ManyFiles.logLinesSince(restarted, logBefore, "checkpoints of the whole store")).hasSize(1);
            ManyFiles.assertCheckpointsHoldTheIndexOnly(restarted);
            log("node3 restarted and current again (%d)", 1, start);

            // The leader's log purged behind a checkpoint: a new node cannot replay it from the start.
            int[] round = {0};
            await().atMost(T).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (ManyFiles.logStart(cluster.leader()) > 1) return true;
                for (int i = 0; i < 20; i++) TestCluster.write(cluster.node(0).file("filler/r" + round[0] + "/f" + i), "filler");
                round[0]++;
                return false;
            });
            for (TestNode n : cluster.nodes()) ManyFiles.assertCheckpointsHoldTheIndexOnly(n);

            TestNode fourth = cluster.addNode();
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries() + 21, T);
            TREE.awaitHeldBy(fourth, T);
            assertThat(ManyFiles.logLinesSince(fourth, 0, "Installed the index checkpoint")).as("the newcomer's log").isNotEmpty();
            assertThat(ManyFiles.logStart(fourth)).as("the newcomer's log starts after a checkpoint").isGreaterThan(1);
            ManyFiles.assertCheckpointsHoldTheIndexOnly(fourth);
            for (TestNode n : cluster.nodes()) assertThat(n.running()).as(n + " stayed up:\n" + n.tail()).isTrue();
            log("a 4th node caught up with %d files", TREE.files(), start);
        }
        log("%d nodes stopped", 4, start);
    }

    private static void log(String what, int n, long start) {
        System.out.printf("%.1f s: %s%n", (System.nanoTime() - start) / 1e9, String.format(what, n));
    }
}
