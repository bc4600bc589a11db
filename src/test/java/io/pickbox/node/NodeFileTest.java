package io.pickbox.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.os.Durability;
import io.pickbox.os.PowerCut;
import io.pickbox.store.StateRepairs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class NodeFileTest {

    @TempDir
    Path dir;

    @AfterEach
    void realDurability() {
        Durability.use(Durability.REAL);
    }

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        assertThat(NodeFile.read(dir)).isNull();
        NodeFile.write(dir, "n1", "c-123", 9001, 8081);
        assertThat(NodeFile.read(dir)).isEqualTo(new NodeFile.Identity("n1", "c-123"));
        NodeFile.write(dir, "n1", null, 9001, 8081);
        assertThat(NodeFile.read(dir)).isEqualTo(new NodeFile.Identity("n1", ""));
    }

    /** Rewritten at every start: a power cut at any point leaves the old file or the new one, never a torn one. */
    @Test
    void aPowerCutWhileItIsRewrittenLeavesTheOldOrTheNew() throws IOException {
        for (int n = 1; ; n++) {
            Path state = Files.createDirectories(dir.resolve("run" + n));
            NodeFile.write(state, "n1", "old-cluster", 9001, 8081);
            PowerCut cut = PowerCut.over(state, p -> false).cutAt(n);
            boolean written = false;
            try {
                NodeFile.write(state, "n1", "new-cluster", 9001, 8081);
                written = true;
            } catch (PowerCut.Cut expected) {
                // off
            }
            boolean wasCut = cut.cut();
            cut.restore();
            NodeFile.Identity read = NodeFile.read(state);
            assertThat(read).as("cut at point %d", n).isNotNull();
            assertThat(read.clusterId()).isIn(written ? new String[] {"new-cluster"} : new String[] {"old-cluster", "new-cluster"});
            if (!wasCut) break;
        }
    }

    @Test
    void aDamagedFileIsMovedAsideAndReportedInsteadOfStoppingTheNode() throws IOException {
        Files.writeString(dir.resolve("node.json"), "{\"nodeId\": \"n1\", \"clus");

        assertThat(NodeFile.read(dir)).isNull();

        assertThat(dir.resolve("node.json")).doesNotExist();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(f -> f.startsWith("node.json.corrupt-"));
        }
        assertThat(StateRepairs.under(dir)).hasEntrySatisfying("node.json", what -> assertThat(what).contains("written again"));
        NodeFile.write(dir, "n1", null, 9001, 8081);
        assertThat(NodeFile.read(dir).nodeId()).isEqualTo("n1");
    }
}
