package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Op;
import io.pickbox.index.RestoreReport;
import io.pickbox.index.Result;
import io.pickbox.index.TestOps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree deleted elsewhere and restored: the files come back into the folder as groups (one
 * flush for many), the way a node catching up writes new files, each recorded in the local table
 * as written here, nothing proposed back.
 */
class RestoreInGroupsTest {

    private static final int FILES = 1_000;
    private static final Duration T = Duration.ofSeconds(60);
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    private EngineFixture fx;
    private long time = T0;

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) fx.close();
    }

    private void start(int maxTracked) throws Exception {
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne(), null, maxTracked).listening();
        fx.sync.start();
        await().atMost(T).until(() -> fx.sync.lastFullScan() != null);
    }

    private Result commit(Op op) {
        time += 1000;
        return fx.commitAt(op, time);
    }

    private static String path(int i) {
        return "tree/d" + (i % 10) + "/f" + i + ".txt";
    }

    private static String content(int i) {
        return "content " + i;
    }

    /** The tree written elsewhere and synced here, then deleted elsewhere and gone here; returns a time before the deletion. */
    private long treeWrittenThenDeleted() throws Exception {
        for (int i = 0; i < FILES; i++) {
            fx.contentArrives(content(i));
            commit(n2.put(path(i), content(i), 0640, 1_600_000_000_000L + i, 0));
        }
        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) assertThat(root.resolve(path(i))).as(path(i)).hasContent(content(i));
            assertThat(fx.sync.pendingCount()).isZero();
        });
        long before = time + 500;
        commit(n2.deleteDir("tree", fx.index.versionClock()));
        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("tree")).doesNotExist();
            assertThat(fx.sync.pendingCount()).isZero();
        });
        return before;
    }

    /** Restores the tree as it was at {@code at}, op after op as the proposer does; returns how many paths came back. */
    private long restore(long at) {
        Op.Restore op = n2.restoreTree("tree", at, fx.index.versionClock());
        long restored = 0;
        while (op != null) {
            RestoreReport part = RestoreReport.fromDetail(commit(op).detail());
            restored += part.restored();
            op = part.next() == null ? null : op.continuingAfter(part.next()).withOrigin(n2.next());
        }
        return restored;
    }

    private void assertTreeBackAndRecorded() {
        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) assertThat(root.resolve(path(i))).as(path(i)).hasContent(content(i));
            assertThat(fx.sync.pendingCount()).isZero();
        });
        for (int i = 0; i < FILES; i++) {
            LocalTable.Local row = fx.table.get(path(i));
            assertThat(row.version()).as(path(i)).isEqualTo(fx.index.get(path(i)).version());
            assertThat(row.stat().sameAs(FileStat.of(root.resolve(path(i))))).isTrue();
        }
    }

    @Test
    void aRestoredTreeIsWrittenInGroupsWithItsModesAndTimes() throws Exception {
        start(SyncEngine.MAX_TRACKED);
        long at = treeWrittenThenDeleted();
        long groupsBefore = fx.sync.filesWrittenInGroups();
        long indexSize = fx.index.size();

        assertThat(restore(at)).isEqualTo(FILES + 11);

        assertTreeBackAndRecorded();
        assertThat(fx.sync.filesWrittenInGroups() - groupsBefore).as("files written in groups").isEqualTo(FILES);
        assertThat(Files.getLastModifiedTime(root.resolve(path(7))).toMillis()).isEqualTo(1_600_000_000_007L);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(path(7)))))
                .isEqualTo("rw-r-----");
        // written as what was committed: nothing was proposed back
        assertThat(fx.index.size()).isEqualTo(indexSize + FILES + 11);
    }

    @Test
    void aRestoreLargerThanTheSchedulerTracksIsWrittenThroughTheCatchUp() throws Exception {
        start(64);
        long at = treeWrittenThenDeleted();

        restore(at);

        assertTreeBackAndRecorded();
    }
}
