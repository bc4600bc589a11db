package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;
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
 * A directory renamed elsewhere is moved here as a whole, and a walk of it after the move (not a
 * job per moved path) finds what differs: a file edited here meanwhile. When it cannot be moved,
 * walks of both ends bring every path in step where it now is.
 */
class CommittedMoveTest {

    private static final int FILES = 300;
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    private EngineFixture fx;
    private Index index;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne()).listening();
        index = fx.index;
        fx.sync.start();
        for (int i = 0; i < FILES; i++) {
            fx.contentArrives(content(i));
            fx.commit(n2.put(oldPath(i), content(i), 0));
        }
        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) assertThat(root.resolve(oldPath(i))).hasContent(content(i));
            assertThat(fx.sync.pendingCount()).isZero();
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static String oldPath(int i) {
        return "old/d" + (i % 3) + "/f" + i + ".txt";
    }

    private static String newPath(int i) {
        return "new/d" + (i % 3) + "/f" + i + ".txt";
    }

    private static String content(int i) {
        return "content " + i;
    }

    @Test
    void aFileEditedHereInsideTheMovedDirectoryMovesWithItAndIsProposedAtItsNewPath() throws Exception {
        // Edited, and not seen yet (no event): the rename comes first.
        Files.writeString(root.resolve(oldPath(7)), "edited here");

        fx.commit(n2.rename("old", "new", index.get("old").version(), 0));

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("old")).doesNotExist();
            assertThat(index.get(newPath(7)).sha256()).isEqualTo(Hashing.sha256Hex("edited here".getBytes(StandardCharsets.UTF_8)));
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(root.resolve(newPath(7))).hasContent("edited here");
        for (int i = 0; i < FILES; i++) {
            if (i != 7) assertThat(root.resolve(newPath(i))).hasContent(content(i));
            assertThat(fx.table.get(newPath(i)).version()).isEqualTo(index.get(newPath(i)).version());
            assertThat(fx.table.get(oldPath(i))).isNull();
        }
        assertThat(index.conflicts()).isEmpty();
    }

    @Test
    void aDirectoryThatCannotBeMovedIsWrittenWhereItNowIs() throws Exception {
        // Something untracked is in the way at the target: the move is refused, nothing is replaced.
        Files.createDirectories(root.resolve("new"));
        Files.writeString(root.resolve("new/mine.txt"), "untracked");

        fx.commit(n2.rename("old", "new", index.get("old").version(), 0));

        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) {
                assertThat(root.resolve(newPath(i))).hasContent(content(i));
                assertThat(root.resolve(oldPath(i))).doesNotExist();
            }
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(root.resolve("new/mine.txt")).hasContent("untracked");
        assertThat(index.get("new/mine.txt")).as("the untracked file proposed").isNotNull();
        for (int i = 0; i < FILES; i++) {
            assertThat(fx.table.get(newPath(i)).version()).isEqualTo(index.get(newPath(i)).version());
            assertThat(fx.table.get(oldPath(i))).isNull();
        }
    }
}
