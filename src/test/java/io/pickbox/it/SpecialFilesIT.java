package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fifos in the folder are never replicated and never opened: opening one to read waits for a
 * writer, for ever if none comes, and would hold a node's sync worker all that time.
 */
class SpecialFilesIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void fifosAreSkippedAndEverythingElseGoesOn() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 2)) {
            TestNode n1 = cluster.node(0), n2 = cluster.node(1);
            // More fifos than a node has sync workers.
            Files.createDirectories(n1.file("pipes"));
            for (int i = 0; i < 8; i++) mkfifo(n1.file("pipes/p" + i));
            ItSupport.write(n1.file("after.txt"), "written after the fifos".getBytes());
            awaitContent(cluster.nodes(), "after.txt", "written after the fifos", T);

            // A file synced on both, replaced by a fifo on node 2, then edited on node 1.
            ItSupport.write(n1.file("shared.txt"), "one".getBytes());
            awaitContent(cluster.nodes(), "shared.txt", "one", T);
            Files.delete(n2.file("shared.txt"));
            mkfifo(n2.file("shared.txt"));
            ItSupport.write(n1.file("shared.txt"), "two".getBytes());
            ItSupport.write(n2.file("from-node2.txt"), "node 2 goes on".getBytes());
            awaitContent(cluster.nodes(), "from-node2.txt", "node 2 goes on", T);

            for (TestNode n : cluster.nodes()) {
                await().atMost(T).untilAsserted(() -> assertThat(n.status().path("pending").asInt()).as("pending on " + n).isZero());
            }
            assertThat(n2.file("pipes/p0")).as("a fifo is not replicated").doesNotExist();
            assertThat(Files.isRegularFile(n2.file("shared.txt"), LinkOption.NOFOLLOW_LINKS)).as("node 2's fifo left as it is").isFalse();
            assertThat(Files.readString(n1.file("shared.txt"))).isEqualTo("two");
        }
    }

    private static void mkfifo(Path p) throws Exception {
        ItSupport.run(p.getParent(), "mkfifo", p.toString());
    }
}
