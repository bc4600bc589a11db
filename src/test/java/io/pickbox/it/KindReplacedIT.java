package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code rm -rf build && touch build}, and the other way round, on one node: every node ends with
 * what that node's folder holds, and no conflict copy. (The node that made the change used to keep
 * its file or directory while the others kept the old kind and a conflict copy, for good.)
 */
class KindReplacedIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aDirectoryReplacedByAFileAndAFileByADirectoryOnOneNodeEndTheSameEverywhere() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 3)) {
            TestNode n1 = cluster.node(0);
            Files.createDirectories(n1.file("build/out"));
            ItSupport.write(n1.file("build/out/a.o"), "object".getBytes());
            ItSupport.write(n1.file("notes"), "a file".getBytes());
            awaitContent(cluster.nodes(), "build/out/a.o", "object", T);
            awaitContent(cluster.nodes(), "notes", "a file", T);

            ItSupport.run(n1.dir(), "bash", "-c", "rm -rf build && printf 'now a file' > build && rm notes && mkdir -p notes/2026 && printf january > notes/2026/jan.txt");

            awaitContent(cluster.nodes(), "build", "now a file", T);
            awaitContent(cluster.nodes(), "notes/2026/jan.txt", "january", T);
            List<String> expected = List.of("build", "notes", "notes/2026", "notes/2026/jan.txt");
            for (TestNode n : cluster.nodes()) {
                await().atMost(T).untilAsserted(() -> assertThat(ItSupport.listing(n.dir())).as("the folder of " + n).isEqualTo(expected));
            }
        }
    }
}
