package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A copy of a large file made inside the folder holds chunks every node already has, in its copy
 * of the original: each node makes the new file from there, and nothing travels between nodes.
 */
class LocalCopyIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final String COPIED = "pickbox_chunk_copied_locally_bytes_total", FETCHED = "pickbox_chunk_fetched_bytes_total";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void everyNodeMakesACopyOfALargeFileFromItsOwnCopyOfTheOriginal() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 3)) {
            TestNode writer = cluster.node(0);
            List<TestNode> receivers = List.of(cluster.node(1), cluster.node(2));
            byte[] big = ItSupport.randomBytes(8 * (1 << 20) + 12_345, 41);
            ItSupport.write(writer.file("media/original.bin"), big);
            awaitContent(cluster.nodes(), "media/original.bin", big, T);
            cluster.awaitConverged();
            double[] copiedBefore = scrape(receivers, COPIED), fetchedBefore = scrape(receivers, FETCHED);

            // cp original.bin elsewhere && mv it in: the copy appears whole
            Path outside = base.resolve("copy.bin");
            Files.copy(writer.file("media/original.bin"), outside);
            Files.move(outside, writer.file("media/copy.bin"), StandardCopyOption.ATOMIC_MOVE);
            awaitContent(cluster.nodes(), "media/copy.bin", big, T);

            double[] copied = scrape(receivers, COPIED), fetched = scrape(receivers, FETCHED);
            for (int i = 0; i < receivers.size(); i++) {
                assertThat(copied[i] - copiedBefore[i]).as("bytes %s copied from its own folder", receivers.get(i))
                        .isEqualTo(big.length);
                assertThat(fetched[i] - fetchedBefore[i]).as("bytes %s fetched from peers", receivers.get(i)).isZero();
            }
        }
    }

    private static double[] scrape(List<TestNode> nodes, String name) throws Exception {
        double[] out = new double[nodes.size()];
        for (int i = 0; i < out.length; i++) out[i] = metric(get(nodes.get(i).adminAddress(), "/metrics").body(), name, "");
        return out;
    }
}
