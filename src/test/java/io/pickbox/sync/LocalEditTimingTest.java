package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Local edits caught in the middle: a file its writer still holds open, a directory moved before its files were looked at. */
class LocalEditTimingTest {

    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final List<Op> proposed = new CopyOnWriteArrayList<>();
    private EngineFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, f -> (op, data) -> {
            proposed.add(op);
            return CompletableFuture.completedFuture(f.commit(op));
        }).listening();
        fx.sync.start();
        await().atMost(T).until(() -> fx.sync.lastFullScan() != null);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static String sha(String s) {
        return Hashing.sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFileStillOpenForWritingWaitsForItsCloseRatherThanForAPause() throws Exception {
        Path f = root.resolve("notes.txt");
        // An editor saving in place: truncated first, its new content written a moment later.
        Files.writeString(f, "");
        fx.sync.changed("notes.txt", false);
        await().atMost(T).until(() -> fx.sync.dueInMillis("notes.txt").get() >= 0);
        assertThat(fx.sync.dueInMillis("notes.txt").get())
                .as("a writer pausing between its truncate and its write is not done: wait for its close")
                .isGreaterThan(SyncEngine.Settings.defaults(false).quietMillis() * 5);

        Files.writeString(f, "the new text");
        fx.sync.changed("notes.txt", true);
        await().atMost(T).until(() -> fx.index.get("notes.txt") != null);
        assertThat(fx.index.get("notes.txt").sha256()).isEqualTo(sha("the new text"));
        assertThat(proposed).noneMatch(op -> op instanceof Op.Put p && p.sha256().equals(sha("")));
    }

    @Test
    void aDirectoryMovedBeforeItsNewFilesWereLookedAtBringsThemAlong() throws Exception {
        // Made and moved faster than the engine looked: the files were never seen under the old name.
        Files.createDirectories(root.resolve("draft/sub"));
        Files.writeString(root.resolve("draft/a.txt"), "a");
        Files.writeString(root.resolve("draft/sub/b.txt"), "b");
        Files.move(root.resolve("draft"), root.resolve("final"));
        fx.sync.moved("draft", "final");

        await().atMost(T).untilAsserted(() -> {
            assertThat(fx.index.get("final/a.txt")).isNotNull();
            assertThat(fx.index.get("final/sub/b.txt")).isNotNull();
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(fx.index.get("final/sub/b.txt").sha256()).isEqualTo(sha("b"));
    }
}
