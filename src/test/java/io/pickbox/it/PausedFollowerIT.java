package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower frozen (SIGSTOP) while many small files are committed, then resumed, replays the log
 * it missed: it appends no faster than it applies, so it neither stalls nor runs out of its small
 * heap, and ends up with every file. A directory made and renamed in its own folder while it was
 * frozen is replicated, and so is a change made in it afterwards: the watcher watches it under its
 * new name (it had found nothing under the old one), long before a verify scan would look.
 */
class PausedFollowerIT {

    private static final ManyFiles TREE = new ManyFiles("while-frozen", 200, 100);
    private static final Duration T = Duration.ofMinutes(3);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aFollowerFrozenWhileFilesAreCommittedCatchesUpWithAllOfThem() throws Exception {
        try (TestCluster cluster = TestCluster.processes(base, 3, "-Xmx96m")) {
            TestNode writer = cluster.node(0);
            TestNode leader = cluster.leader();
            TestNode frozen = cluster.nodes().stream().filter(n -> n != writer && n != leader).findFirst().orElseThrow();
            signal("STOP", frozen);
            try {
                TREE.write(writer.dir());
                ItSupport.write(frozen.file("made/sub/early.txt"), "made while frozen".getBytes());
                java.nio.file.Files.move(frozen.file("made"), frozen.file("renamed"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                List<TestNode> others = cluster.nodes().stream().filter(n -> n != frozen).toList();
                ManyFiles.awaitSameIndex(others, TREE.entries(), T);
            } finally {
                signal("CONT", frozen);
            }
            ManyFiles.awaitSameIndex(cluster.nodes(), TREE.entries(), T);
            for (TestNode n : cluster.nodes()) TREE.awaitHeldBy(n, T);
            ItSupport.awaitContent(cluster.nodes(), "renamed/sub/early.txt", "made while frozen", T);
            TestCluster.write(frozen.file("renamed/sub/later.txt"), "changed after the thaw");
            ItSupport.awaitContent(cluster.nodes(), "renamed/sub/later.txt", "changed after the thaw", Duration.ofSeconds(60));
            assertThat(frozen.running()).as(frozen + " stayed up:\n" + frozen.tail()).isTrue();
        }
    }

    private static void signal(String name, TestNode n) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(n.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + name + " " + n).isZero();
    }
}
