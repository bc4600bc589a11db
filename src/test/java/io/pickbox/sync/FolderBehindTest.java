package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes committed elsewhere faster than this node can write them: its scheduler holds a bounded
 * number of paths, and the folder catches up from the index and the local table once it can write
 * again. Here nothing can be written at first: the files' contents are not on this node (no peer
 * has them yet), so every path taken is retried and stays held.
 */
class FolderBehindTest {

    private static final int TRACKED = 64;
    private static final int FILES = 1_000;
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    private EngineFixture fx;
    private Index index;
    private LocalTable table;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        // A cluster of one: this node's proposals are applied at once, after the others' changes.
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne(), null, TRACKED).listening();
        index = fx.index;
        table = fx.table;
        sync = fx.sync;
        sync.start();
        // A scan meeting a file just put in place, before its row is written, takes it as a local
        // change, tracked within a bound of its own: the bound these tests check is that of committed changes.
        await().atMost(T).until(() -> sync.lastFullScan() != null);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private void commit(io.pickbox.index.Op op) {
        fx.commit(op);
    }

    private static String path(int i) {
        return "d" + (i % 10) + "/f" + i + ".txt";
    }

    private static String content(int i) {
        return "content " + i;
    }

    /** The contents arrive: what was committed can be written now. */
    private void contentsArrive(List<String> contents) throws Exception {
        for (String c : contents) fx.contentArrives(c);
    }

    private static List<String> allContents() {
        return java.util.stream.IntStream.range(0, FILES).mapToObj(FolderBehindTest::content).toList();
    }

    @Test
    void moreChangesThanTheSchedulerTracksAllLandOnceTheyCanBeWritten() throws Exception {
        for (int i = 0; i < FILES; i++) commit(n2.put(path(i), content(i), 0));
        await().atMost(T).untilAsserted(() -> assertThat(sync.pendingCount()).isPositive());

        contentsArrive(allContents());

        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) {
                assertThat(root.resolve(path(i))).as(path(i)).hasContent(content(i));
            }
            assertThat(sync.pendingCount()).isZero();
        });
        assertThat(sync.mostPending()).as("paths held at once").isLessThanOrEqualTo(TRACKED);
        assertThat(table.size()).as("every file and directory recorded").isEqualTo(FILES + 10);
    }

    @Test
    void aFolderFarBehindCatchesUpWritingTheNewFilesInGroups() throws Exception {
        for (int i = 0; i < FILES; i++) commit(n2.put(path(i), content(i), 0755 - (i % 2) * 0111, 1_600_000_000_000L + i, 0));
        await().atMost(T).untilAsserted(() -> assertThat(sync.pendingCount()).isPositive());
        contentsArrive(allContents());

        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) assertThat(root.resolve(path(i))).as(path(i)).hasContent(content(i));
            assertThat(sync.pendingCount()).isZero();
        });
        // One by one: what the scheduler took while the contents were missing (at most its bound at a
        // time), and what groups met while the contents were arriving; the rest in groups.
        assertThat(sync.filesWrittenInGroups()).as("files written in groups").isGreaterThanOrEqualTo(FILES / 2);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(path(1)))))
                .isEqualTo("rw-r--r--");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(path(2)))))
                .isEqualTo("rwxr-xr-x");
        for (int i = 0; i < FILES; i++) {
            LocalTable.Local row = table.get(path(i));
            assertThat(row.version()).isEqualTo(index.get(path(i)).version());
            assertThat(row.stat().sameAs(io.pickbox.folder.FileStat.of(root.resolve(path(i))))).isTrue();
        }
        assertThat(sync.mostPending()).isLessThanOrEqualTo(TRACKED);
        // written as this node's own: nothing was proposed back
        assertThat(index.size()).isEqualTo(FILES + 10);
    }

    @Test
    void aDeletionCommittedWhileBehindRemovesTheFileWrittenBefore() throws Exception {
        commit(n2.put("keep/gone.txt", "old", 0));
        contentsArrive(List.of("old"));
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("keep/gone.txt")).exists());

        for (int i = 0; i < FILES; i++) commit(n2.put(path(i), content(i), 0));
        commit(n2.delete("keep/gone.txt", index.get("keep/gone.txt").version()));
        contentsArrive(allContents());

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("keep/gone.txt")).doesNotExist();
            assertThat(root.resolve(path(FILES - 1))).exists();
            assertThat(sync.pendingCount()).isZero();
        });
        assertThat(sync.mostPending()).isLessThanOrEqualTo(TRACKED);
    }

    @Test
    void aLocalEditToAPathNotHeldIsProposedAndKeptAsAConflictCopy() throws Exception {
        for (int i = 0; i < FILES; i++) commit(n2.put(path(i), content(i), 0));
        // The last change was surely not taken: the scheduler was full long before it.
        String edited = path(FILES - 1);
        Files.createDirectories(root.resolve(edited).getParent());
        Files.writeString(root.resolve(edited), "edited here");
        sync.changed(edited, true);

        await().atMost(T).untilAsserted(() -> assertThat(index.conflicts()).hasSize(1));
        Map.Entry<String, Entry> copy = index.conflicts().get(0);
        assertThat(copy.getValue().conflictOf()).isEqualTo(edited);
        assertThat(copy.getValue().sha256()).isEqualTo(Hashing.sha256Hex("edited here".getBytes(StandardCharsets.UTF_8)));

        contentsArrive(allContents());
        contentsArrive(List.of("edited here"));

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve(edited)).hasContent(content(FILES - 1));
            assertThat(root.resolve(copy.getKey())).hasContent("edited here");
            assertThat(sync.pendingCount()).isZero();
        });
        assertThat(sync.mostPending()).isLessThanOrEqualTo(TRACKED + 1);
    }

    /**
     * A rename committed elsewhere of a directory holding more files than the scheduler tracks moves
     * the directory on this disk, the files as they are: each moved path is offered as the op is
     * applied, and they must not take the room the move needs first.
     */
    @Test
    void aDirectoryWithMoreFilesThanTheSchedulerTracksIsMovedNotWrittenAgain() throws Exception {
        List<String> contents = new java.util.ArrayList<>();
        for (int i = 0; i < 4 * TRACKED; i++) {
            commit(n2.put("big/f" + i + ".txt", content(i), 0));
            contents.add(content(i));
        }
        contentsArrive(contents);
        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("big/f" + (4 * TRACKED - 1) + ".txt")).hasContent(content(4 * TRACKED - 1));
            assertThat(sync.pendingCount()).isZero();
        });
        Object before = Files.readAttributes(root.resolve("big/f0.txt"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        // The loop thread is held while the rename is applied, so that every path it moved is offered first.
        java.util.concurrent.CountDownLatch applied = new java.util.concurrent.CountDownLatch(1);
        sync.onLoop(() -> {
            try {
                applied.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        commit(n2.rename("big", "moved", index.get("big").version(), 0));
        applied.countDown();

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("big")).doesNotExist();
            for (int i = 0; i < 4 * TRACKED; i++) assertThat(root.resolve("moved/f" + i + ".txt")).hasContent(content(i));
            assertThat(sync.pendingCount()).isZero();
        });
        assertThat(Files.readAttributes(root.resolve("moved/f0.txt"), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("the same file, moved").isEqualTo(before);
        assertThat(table.get("moved/f0.txt").version()).isEqualTo(index.get("moved/f0.txt").version());
    }
}
