package io.pickbox.it;

import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** With the state kept elsewhere, a folder that lost its .pickbox marker (unmounted, wiped) is refused. */
class MarkerIT {

    @TempDir
    Path base;

    private NodeConfig config(Path data, Path state) throws Exception {
        int[] ports = TestPorts.free(2);
        return NodeConfig.builder("solo", ports[0]).adminPort(ports[1]).dataDir(data).stateDir(state).build();
    }

    @Test
    void folderThatLostItsMarkerRefusesToStart() throws Exception {
        Path data = base.resolve("folder");
        Path state = base.resolve("state");
        NodeConfig config = config(data, state);
        try (Node node = new Node(config)) {
            node.start();
            Files.writeString(data.resolve("kept.txt"), "precious");
            await().atMost(Duration.ofSeconds(20)).until(() -> node.index().get("kept.txt") != null);
        }
        // The folder is gone (an unmounted disk): the node must not read that as "everything was deleted".
        io.pickbox.folder.AtomicFiles.deleteRecursively(data);
        Files.createDirectories(data);
        assertThatThrownBy(() -> {
            try (Node node = new Node(config)) {
                node.start();
            }
        }).hasMessageContaining("lost its .pickbox marker");
        assertThat(data.resolve("kept.txt")).doesNotExist();
        assertThat(Files.list(data).count()).as("a refused start leaves the folder as it was").isZero();
    }
}
