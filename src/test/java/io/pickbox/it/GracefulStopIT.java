package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.awaitLeader;
import static io.pickbox.it.ItSupport.logLinesContaining;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader stopped on purpose (SIGTERM) hands leadership over before it goes: its successor leads
 * as it exits, with one term more (no election), writes go on at once, and the stopping node's log
 * says one thing about the stop and no warning.
 */
class GracefulStopIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.processes(base, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aStoppedLeaderHandsOverQuietly() throws Exception {
        TestNode leader = awaitLeader(cluster.running(), T);
        long term = leader.status().path("term").asLong();
        TestCluster.write(leader.file("before-stop.txt"), "written while " + leader.id() + " led");
        awaitContent(cluster.nodes(), "before-stop.txt", "written while " + leader.id() + " led", T);
        List<TestNode> others = cluster.nodes().stream().filter(n -> n != leader).toList();
        int linesBefore = logLinesContaining(List.of(leader), "").size();

        leader.stop();

        // The successor took over before the old leader exited: no election timeout to wait for.
        TestNode successor = awaitLeader(others, Duration.ofMillis(500));
        for (TestNode n : others) assertThat(n.status().path("term").asLong()).as("term at %s", n).isEqualTo(term + 1);
        TestCluster.write(successor.file("after-stop.txt"), "written after the stop");
        awaitContent(others, "after-stop.txt", "written after the stop", Duration.ofSeconds(5));

        List<String> stopLog = logLinesContaining(List.of(leader), "");
        stopLog = stopLog.subList(linesBefore, stopLog.size());
        assertThat(stopLog).as("the stopping node's log").noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
        List<String> infoLines = stopLog.stream().filter(l -> l.contains(" INFO ")).toList();
        assertThat(infoLines).as("the stop says one line, naming the successor").singleElement().asString()
                .contains("Node " + leader.id() + " stopped; leadership handed to " + successor.id());
    }
}
