package io.pickbox.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.pickbox.it.ItSupport.assertNoConflicts;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitGone;
import static io.pickbox.it.ItSupport.awaitLeader;
import static io.pickbox.it.ItSupport.memberCount;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

/** Five in-JVM nodes: writes everywhere converge, a majority keeps going without two nodes, they come back. */
class FiveNodeIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void writesEverywhereConvergeAndTwoNodesDownIsSurvivable() throws Exception {
        cluster = TestCluster.inJvm(base, 5);
        List<TestNode> all = cluster.nodes();
        for (TestNode n : all) assertThat(memberCount(n)).as("members seen by " + n).isEqualTo(5);

        // Every node writes.
        for (TestNode n : all) {
            for (int i = 0; i < 4; i++) TestCluster.write(n.file("five/" + n.id() + "/f" + i + ".txt"), n.id() + " file " + i);
        }
        TestCluster.write(all.get(0).file("five/shared/edited.txt"), "v1");
        TestCluster.write(all.get(1).file("five/shared/deleted.txt"), "soon gone");
        for (TestNode n : all) {
            for (int i = 0; i < 4; i++) awaitContent(all, "five/" + n.id() + "/f" + i + ".txt", n.id() + " file " + i, T);
        }
        awaitContent(all, "five/shared/deleted.txt", "soon gone", T);
        cluster.awaitConverged(T);

        // Stop two followers: three of five remain, a majority.
        TestNode leader = awaitLeader(all, T);
        List<TestNode> stopped = all.stream().filter(n -> n != leader).limit(2).toList();
        for (TestNode n : stopped) n.stop();
        List<TestNode> live = new ArrayList<>(cluster.running());
        assertThat(live).hasSize(3);

        byte[] bin = randomBytes(1_500_000, 5);
        for (TestNode n : live) TestCluster.write(n.file("five/while-down/" + n.id() + ".txt"), "written by " + n.id());
        Files.writeString(live.get(2).file("five/shared/edited.txt"), "v2 while two were down");
        Files.delete(live.get(1).file("five/shared/deleted.txt"));
        ItSupport.write(live.get(0).file("five/while-down/big.bin"), bin);
        for (TestNode n : live) awaitContent(live, "five/while-down/" + n.id() + ".txt", "written by " + n.id(), T);
        awaitContent(live, "five/shared/edited.txt", "v2 while two were down", T);
        awaitContent(live, "five/while-down/big.bin", bin, T);
        awaitGone(live, "five/shared/deleted.txt", T);
        cluster.awaitConverged(T);

        // Bring them back.
        for (TestNode n : stopped) n.start();
        for (TestNode n : live) awaitContent(all, "five/while-down/" + n.id() + ".txt", "written by " + n.id(), T);
        awaitContent(all, "five/shared/edited.txt", "v2 while two were down", T);
        awaitContent(all, "five/while-down/big.bin", bin, T);
        awaitGone(all, "five/shared/deleted.txt", T);
        cluster.awaitConverged(T);
        assertNoConflicts(all);

        // The returned nodes write again.
        for (TestNode n : stopped) TestCluster.write(n.file("five/back/" + n.id() + ".txt"), "back: " + n.id());
        for (TestNode n : stopped) awaitContent(all, "five/back/" + n.id() + ".txt", "back: " + n.id(), T);
        cluster.awaitConverged(T);
        for (TestNode n : all) assertThat(memberCount(n)).as("members seen by " + n).isEqualTo(5);
    }
}
