package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;
import io.pickbox.sync.LocalTable.Local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verify scan hands on only the paths where folder, index and local table disagree, and says what it cost. */
class SyncEngineVerifyTest {

    @TempDir
    Path root;
    @TempDir
    Path state;

    private EngineFixture fx;
    private Index index;
    private final TestOps n2 = new TestOps("n2");
    private LocalTable table;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        // Never started: paths handed on wait, nothing is proposed or written while the test looks.
        fx = new EngineFixture(root, state, EngineFixture.neverAnswers());
        index = fx.index;
        table = fx.table;
        sync = fx.sync;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private long seq = 1;

    /** Commits {@code path} and writes it here as this node would have synced it. */
    private void synced(String path, String content) throws Exception {
        index.apply(n2.put(path, content, 0), seq++);
        Entry e = index.get(path);
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        table.put(path, new Local(e.version(), e.sha256(), FileStat.of(file)));
        Path dir = file.getParent();
        for (String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : null; parent != null;
             parent = parent.contains("/") ? parent.substring(0, parent.lastIndexOf('/')) : null, dir = dir.getParent()) {
            table.put(parent, new Local(index.get(parent).version(), null, FileStat.of(dir)));
        }
    }

    private SyncEngine.ScanCost verify() throws Exception {
        return sync.verify().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFolderInStepHandsNothingOn() throws Exception {
        for (int i = 0; i < 20; i++) synced("d" + (i % 3) + "/f" + i + ".txt", "content " + i);

        SyncEngine.ScanCost cost = verify();

        assertThat(cost.paths()).isEqualTo(23);
        assertThat(cost.outOfStep()).isZero();
        assertThat(sync.lastFullScan()).isEqualTo(cost);
        assertThat(cost.cpuSeconds()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void whatTheWatcherMissedIsFound() throws Exception {
        for (int i = 0; i < 20; i++) synced("d" + (i % 3) + "/f" + i + ".txt", "content " + i);
        Files.writeString(root.resolve("d0/f0.txt"), "edited behind the watcher's back");
        Files.delete(root.resolve("d1/f1.txt"));
        Files.writeString(root.resolve("d2/new.txt"), "made behind the watcher's back");
        index.apply(n2.put("d2/remote.txt", "committed elsewhere", 0), seq++);

        SyncEngine.ScanCost cost = verify();

        assertThat(cost.outOfStep()).as("edited, deleted, new here, new elsewhere: " + cost).isEqualTo(4);
        // Handed on to the scheduler, which compares them again once started.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sync.pendingCount()).isEqualTo(4));
    }

    @Test
    void aRowLeftOverFromAFileGoneEverywhereIsFound() throws Exception {
        synced("a.txt", "one");
        synced("b.txt", "two");
        Files.delete(root.resolve("b.txt"));
        index.apply(n2.delete("b.txt", index.get("b.txt").version()), seq++);

        assertThat(verify().outOfStep()).isEqualTo(1);
    }

    @Test
    void aWipedFolderHandsOnABoundedNumberOfHeldDeletions() throws Exception {
        int files = SyncEngine.MISSING_REMEMBERED + 10;
        for (int i = 0; i < files; i++) synced("d" + (i % 10) + "/f" + i, "content " + i);
        for (int i = 0; i < files; i++) Files.delete(root.resolve("d" + (i % 10) + "/f" + i));

        SyncEngine.ScanCost cost = verify();

        // Each is reported as held, up to the number a scan remembers; the count covers them all.
        assertThat(cost.outOfStep()).isEqualTo(SyncEngine.MISSING_REMEMBERED);
        assertThat(sync.missingFiles()).containsExactly(files, files);
    }

    @Test
    void moreMissingFilesThanAScanRemembersAreAllHandedOn() throws Exception {
        int files = 2 * SyncEngine.MISSING_REMEMBERED + 10, gone = SyncEngine.MISSING_REMEMBERED + 5;
        for (int i = 0; i < files; i++) synced("d" + (i % 10) + "/f" + i, "content " + i);
        for (int i = 0; i < gone; i++) Files.delete(root.resolve("d" + (i % 10) + "/f" + i));

        SyncEngine.ScanCost cost = verify();

        // Fewer than half are missing: not held. Those the scan remembered are handed on at once,
        // and a walk from the first one it did not remember hands on the rest.
        assertThat(cost.outOfStep()).isEqualTo(SyncEngine.MISSING_REMEMBERED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sync.pendingCount()).isEqualTo(gone));
    }
}
