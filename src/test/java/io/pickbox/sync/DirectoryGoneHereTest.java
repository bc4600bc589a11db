package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.index.TestOps;
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

/**
 * A directory renamed here while this node is busy inside it, or before it has written a change
 * committed inside it: the rename is proposed as one op once the work inside is done, so the
 * directory's files, and a change committed elsewhere meanwhile, move with it. Taken apart into a
 * delete of the old tree and new files at the new one, the change stayed at the old path (its
 * directory made again there for it) while the new one had this node's stale copy. A directory
 * removed here: a change committed inside it meanwhile wins over the removal, as a file's does.
 */
class DirectoryGoneHereTest {

    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    /** Every op this node proposed, in order. */
    private final List<Op> proposed = new CopyOnWriteArrayList<>();
    /** While set, this node's proposals for this path wait for the test. */
    private volatile String heldPath;
    private final CompletableFuture<Void> release = new CompletableFuture<>();
    private EngineFixture fx;
    private Index index;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, f -> (op, data) -> {
            proposed.add(op);
            if (op instanceof Op.Put put && put.path().equals(heldPath)) {
                return release.thenApply(v -> f.commit(op));
            }
            return CompletableFuture.completedFuture(f.commit(op));
        }).listening();
        index = fx.index;
        fx.sync.start();
        for (String p : List.of("d/s/g.txt", "d/s/h.txt", "d/i.txt")) {
            fx.contentArrives("first " + p);
            fx.commit(n2.put(p, "first " + p, 0));
        }
        await().atMost(T).untilAsserted(() -> {
            for (String p : List.of("d/s/g.txt", "d/s/h.txt", "d/i.txt")) {
                assertThat(root.resolve(p)).hasContent("first " + p);
                assertThat(fx.table.get(p)).isNotNull();
            }
            assertThat(fx.sync.pendingCount()).isZero();
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        release.complete(null);
        fx.close();
    }

    @Test
    void aDirectoryRenamedWhileAChangeInsideIsBeingProposedIsProposedAsOneRenameAfterIt() throws Exception {
        heldPath = "d/s/h.txt";
        Files.writeString(root.resolve("d/s/h.txt"), "edited here");
        fx.sync.changed("d/s/h.txt", true);
        await().atMost(T).until(() -> proposed.stream().anyMatch(op -> op instanceof Op.Put p && p.path().equals("d/s/h.txt")));

        Files.move(root.resolve("d"), root.resolve("e"));
        fx.sync.moved("d", "e");
        release.complete(null);

        await().atMost(T).untilAsserted(() -> {
            assertThat(index.get("e/s/h.txt")).isNotNull();
            assertThat(index.get("e/s/h.txt").sha256()).isEqualTo(sha("edited here"));
            assertThat(index.get("e/s/g.txt").sha256()).isEqualTo(sha("first d/s/g.txt"));
            assertThat(index.get("d")).isNull();
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(proposed).as("one rename, not a delete and new files")
                .anyMatch(op -> op instanceof Op.Rename r && r.from().equals("d") && r.to().equals("e"))
                .noneMatch(op -> op instanceof Op.Delete)
                .noneMatch(op -> op instanceof Op.Put p && p.path().startsWith("e/"));
        assertThat(root.resolve("d")).doesNotExist();
        assertThat(index.conflicts()).isEmpty();
    }

    @Test
    void aChangeCommittedElsewhereAndNotWrittenHereWhenItsDirectoryWasRenamedHereMovesWithIt() throws Exception {
        // The user renames the directory; this node looks at the change committed meanwhile before
        // it sees the rename. Written now, it made the directory again under its old name.
        Files.move(root.resolve("d"), root.resolve("e"));
        fx.contentArrives("changed elsewhere");
        Result edit = fx.commit(n2.put("d/s/g.txt", "changed elsewhere", index.get("d/s/g.txt").version()));
        assertThat(edit.status()).isEqualTo(Result.Status.APPLIED);
        await().atMost(T).until(() -> Files.exists(root.resolve("d/s/g.txt")) || fx.sync.dueInMillis("d/s/g.txt").get() > 0);

        fx.sync.moved("d", "e");

        await().atMost(T).untilAsserted(() -> {
            assertThat(index.get("e/s/g.txt")).isNotNull();
            assertThat(root.resolve("e/s/g.txt")).hasContent("changed elsewhere");
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(index.get("e/s/g.txt").sha256()).isEqualTo(sha("changed elsewhere"));
        assertThat(index.conflicts()).as("this node's copy was the one before the change, not an edit").isEmpty();
        assertThat(proposed).noneMatch(op -> op instanceof Op.Put);
        assertThat(root.resolve("d")).doesNotExist();
    }

    @Test
    void aChangeCommittedInsideADirectoryRemovedHereWinsOverTheRemovalEvenWithoutItsEvent() throws Exception {
        // Removed with no event reaching the engine (as when the watcher's queue overflowed).
        try (var files = Files.walk(root.resolve("d"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        fx.contentArrives("changed elsewhere");
        fx.commit(n2.put("d/s/g.txt", "changed elsewhere", index.get("d/s/g.txt").version()));

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("d/s/g.txt")).hasContent("changed elsewhere");
            assertThat(index.get("d/s/h.txt")).as("removed here").isNull();
            assertThat(index.get("d/i.txt")).as("removed here").isNull();
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(index.get("d/s/g.txt").sha256()).isEqualTo(sha("changed elsewhere"));
        assertThat(proposed).anyMatch(op -> op instanceof Op.Delete d && d.path().equals("d"));
        assertThat(index.conflicts()).isEmpty();
    }

    private static String sha(String content) {
        return Hashing.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
    }
}
