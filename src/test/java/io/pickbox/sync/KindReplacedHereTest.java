package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A synced directory replaced here by a file of its name, or a synced file by a directory
 * ({@code rm -rf build && touch build}): the cluster ends with what this folder holds, with no
 * conflict copy. (The new kind used to be proposed over the old one, kept as a conflict copy,
 * while this folder kept it at the path: this node and the others disagreed for good.)
 */
class KindReplacedHereTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private EngineFixture fx;
    private Index index;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne()).listening();
        index = fx.index;
        sync = fx.sync;
        sync.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private void awaitCommitted(String path, String content) {
        String sha = Hashing.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
        await().atMost(T).untilAsserted(() -> {
            Entry e = index.get(path);
            assertThat(e).as(path + " committed").isNotNull();
            assertThat(e.sha256()).isEqualTo(sha);
            assertThat(sync.pendingCount()).isZero();
        });
    }

    @Test
    void aDirectoryReplacedByAFileBecomesThatFile() throws Exception {
        Files.createDirectories(root.resolve("build/out"));
        Files.writeString(root.resolve("build/out/a.o"), "object");
        sync.changed("build", true);
        sync.changed("build/out", true);
        sync.changed("build/out/a.o", true);
        awaitCommitted("build/out/a.o", "object");

        Files.delete(root.resolve("build/out/a.o"));
        Files.delete(root.resolve("build/out"));
        Files.delete(root.resolve("build"));
        Files.writeString(root.resolve("build"), "now a file");
        sync.changed("build", true);
        sync.changed("build/out", true);
        sync.changed("build/out/a.o", true);

        awaitCommitted("build", "now a file");
        assertThat(index.get("build").isFile()).isTrue();
        assertThat(index.get("build/out/a.o")).isNull();
        assertThat(index.conflicts()).isEmpty();
        assertThat(Files.readString(root.resolve("build"))).isEqualTo("now a file");
    }

    @Test
    void aFileReplacedByADirectoryBecomesThatDirectoryWithWhatItHolds() throws Exception {
        Files.writeString(root.resolve("notes"), "a file");
        sync.changed("notes", true);
        awaitCommitted("notes", "a file");

        Files.delete(root.resolve("notes"));
        Files.createDirectories(root.resolve("notes/2026"));
        Files.writeString(root.resolve("notes/2026/jan.txt"), "january");
        // The file inside is seen first: proposed now, it would meet the committed file above it.
        sync.changed("notes/2026/jan.txt", true);
        sync.changed("notes/2026", true);
        sync.changed("notes", true);

        awaitCommitted("notes/2026/jan.txt", "january");
        await().atMost(T).untilAsserted(() -> assertThat(index.get("notes")).isNotNull().matches(Entry::isDir, "a directory"));
        assertThat(index.conflicts()).isEmpty();
        assertThat(Files.readString(root.resolve("notes/2026/jan.txt"))).isEqualTo("january");
    }
}
