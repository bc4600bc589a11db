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

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A name that cannot be replicated (bytes that are not UTF-8, a newline) is shown in the node's
 * status, with why, for as long as it is there: it is not left to a line of the log.
 */
class NamesNotReplicatedIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void theStatusSaysWhichNamesAreNotReplicatedUntilTheyAreRenamed() throws Exception {
        assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")), "file names are decoded as UTF-8");
        try (TestCluster cluster = TestCluster.inJvm(base, 2)) {
            TestNode n1 = cluster.node(0);
            ItSupport.run(n1.dir(), "bash", "-c", "printf latin1 > $'caf\\xe9.txt' && printf nl > $'new\\nline.txt' && printf ok > ok.txt");
            awaitContent(cluster.nodes(), "ok.txt", "ok", T);

            await().atMost(T).untilAsserted(() -> assertThat(names(n1.status())).containsExactlyInAnyOrder(
                    "caf\uFFFD.txt: its name is not valid UTF-8; rename it to be replicated",
                    "new\nline.txt: invalid path \"new\\u000Aline.txt\": control character U+000A at index 3"));

            ItSupport.run(n1.dir(), "bash", "-c", "mv $'caf\\xe9.txt' cafe.txt && rm $'new\\nline.txt'");
            awaitContent(cluster.nodes(), "cafe.txt", "latin1", T);
            await().atMost(T).untilAsserted(() -> assertThat(names(n1.status())).isEmpty());
        }
    }

    private static List<String> names(JsonNode status) {
        List<String> out = new ArrayList<>();
        status.path("notReplicated").fields().forEachRemaining(e -> out.add(e.getKey() + ": " + e.getValue().asText()));
        return out;
    }
}
