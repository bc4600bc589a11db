package io.pickbox.sync;

import io.pickbox.folder.FileStat;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file renamed in this node's folder: proposed as one rename, and its content is not read and
 * hashed again when only the rename touched it; a file changed as well is read and its change
 * proposed.
 */
class RenameHereTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private EngineFixture fx;
    private Index index;
    private LocalTable table;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne()).listening();
        index = fx.index;
        table = fx.table;
        sync = fx.sync;
        sync.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    /** Writes {@code path} as a user would and waits until it is committed and recorded here. */
    private void written(String path, String content) throws Exception {
        Files.writeString(root.resolve(path), content);
        sync.changed(path, true);
        awaitInStep(path, content);
    }

    /** Waits until {@code path} is committed with {@code content} and this node's row matches the disk. */
    private void awaitInStep(String path, String content) {
        String sha = Hashing.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
        await().atMost(T).untilAsserted(() -> {
            Entry e = index.get(path);
            assertThat(e).as(path + " committed").isNotNull();
            assertThat(e.sha256()).isEqualTo(sha);
            LocalTable.Local row = table.get(path);
            assertThat(row).as(path + "'s row").isNotNull();
            assertThat(row.version()).isEqualTo(e.version());
            assertThat(row.stat().sameAs(FileStat.of(root.resolve(path)))).as(path + "'s row matches the disk").isTrue();
            assertThat(sync.pendingCount()).isZero();
        });
    }

    @Test
    void aFileRenamedAndUntouchedIsNotReadAgain() throws Exception {
        written("a.txt", "some content");
        long reads = sync.filesRead();

        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));
        sync.moved("a.txt", "b.txt");

        awaitInStep("b.txt", "some content");
        assertThat(index.get("a.txt")).isNull();
        assertThat(table.get("a.txt")).isNull();
        assertThat(sync.filesRead()).as("files read since the rename").isEqualTo(reads);
    }

    @Test
    void aFileRenamedThenChangedIsReadAndItsChangeProposed() throws Exception {
        written("a.txt", "some content");
        long reads = sync.filesRead();

        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));
        Files.writeString(root.resolve("b.txt"), "other content, longer"); // the same inode
        sync.moved("a.txt", "b.txt");

        awaitInStep("b.txt", "other content, longer");
        assertThat(index.get("a.txt")).isNull();
        assertThat(sync.filesRead()).isGreaterThan(reads);
    }

    @Test
    void aFileRenamedThenMadeExecutableKeepsItsNewMode() throws Exception {
        written("a.sh", "echo hello");

        Files.move(root.resolve("a.sh"), root.resolve("b.sh"));
        Files.setPosixFilePermissions(root.resolve("b.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        sync.moved("a.sh", "b.sh");

        awaitInStep("b.sh", "echo hello");
        await().atMost(T).untilAsserted(() -> assertThat(index.get("b.sh").executable()).isTrue());
        assertThat(Files.isExecutable(root.resolve("b.sh"))).isTrue();
    }

    @Test
    void aFileRenamedHereBeforeAnEditCommittedElsewhereIsWrittenTakesTheEditToItsNewName() throws Exception {
        io.pickbox.index.TestOps n2 = new io.pickbox.index.TestOps("n2");
        written("a.txt", "some content");

        // Edited elsewhere: committed, and not written here yet (its bytes have not arrived).
        fx.commit(n2.put("a.txt", "edited elsewhere", index.get("a.txt").version()));
        // The user renames the file, untouched since this node wrote it.
        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));
        sync.moved("a.txt", "b.txt");
        await().atMost(T).untilAsserted(() -> assertThat(index.get("a.txt")).as("a.txt committed").isNull());
        fx.contentArrives("edited elsewhere");

        // The rename carries the edit: nothing is left at the old name, no stale copy at the new one.
        awaitInStep("b.txt", "edited elsewhere");
        assertThat(Files.readString(root.resolve("b.txt"))).isEqualTo("edited elsewhere");
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(table.get("a.txt")).isNull();
        assertThat(index.conflicts()).isEmpty();
    }

    @Test
    void aFileRenamedAndChangedHereBeforeAnEditCommittedElsewhereIsWrittenKeepsBoth() throws Exception {
        io.pickbox.index.TestOps n2 = new io.pickbox.index.TestOps("n2");
        written("a.txt", "some content");

        fx.commit(n2.put("a.txt", "edited elsewhere", index.get("a.txt").version()));
        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));
        Files.writeString(root.resolve("b.txt"), "edited here, longer"); // the same inode
        sync.moved("a.txt", "b.txt");
        fx.contentArrives("edited elsewhere");

        // Two edits of one file: neither is lost, each under a name of its own.
        awaitInStep("a.txt", "edited elsewhere");
        awaitInStep("b.txt", "edited here, longer");
    }

    /**
     * Renames and deletions committed elsewhere are carried out here; the watcher's reports of them
     * are this node's own doing and are not compared (or proposed) again.
     */
    @Test
    void theWatchersReportsOfRenamesAndDeletionsCommittedElsewhereAreKnownAsThisNodesOwn() throws Exception {
        io.pickbox.index.TestOps n2 = new io.pickbox.index.TestOps("n2");
        written("a.txt", "moved elsewhere");
        written("b.txt", "deleted elsewhere");
        long reads = sync.filesRead();

        synchronized (index) {
            fx.commit(n2.rename("a.txt", "c.txt", index.get("a.txt").version(), 0));
            fx.commit(n2.delete("b.txt", index.get("b.txt").version()));
        }
        await().atMost(T).until(() -> Files.exists(root.resolve("c.txt")) && !Files.exists(root.resolve("b.txt")));
        // As the watcher reports them, after the fact.
        sync.moved("a.txt", "c.txt");
        sync.changed("b.txt", true);

        awaitInStep("c.txt", "moved elsewhere");
        assertThat(sync.echoesIgnored()).isEqualTo(2);
        assertThat(index.get("a.txt")).isNull();
        assertThat(index.get("b.txt")).isNull();
        assertThat(table.get("b.txt")).isNull();
        assertThat(sync.filesRead()).isEqualTo(reads);
    }

    @Test
    void aHundredRenamesAndAHundredDeletesEndWithExactlyTheRenamedFiles() throws Exception {
        for (int i = 0; i < 200; i++) written(String.format("f%03d.txt", i), "content " + i);
        long reads = sync.filesRead();

        for (int i = 0; i < 100; i++) {
            Files.move(root.resolve(String.format("f%03d.txt", i)), root.resolve(String.format("renamed-%03d.txt", i)));
            sync.moved(String.format("f%03d.txt", i), String.format("renamed-%03d.txt", i));
        }
        for (int i = 100; i < 200; i++) {
            Files.delete(root.resolve(String.format("f%03d.txt", i)));
            sync.changed(String.format("f%03d.txt", i), true);
        }

        for (int i = 0; i < 100; i++) awaitInStep(String.format("renamed-%03d.txt", i), "content " + i);
        await().atMost(T).untilAsserted(() -> {
            assertThat(index.size()).isEqualTo(100);
            assertThat(table.size()).isEqualTo(100);
        });
        for (int i = 0; i < 200; i++) assertThat(index.get(String.format("f%03d.txt", i))).isNull();
        assertThat(sync.filesRead()).as("files read since the renames and deletes").isEqualTo(reads);
    }
}
