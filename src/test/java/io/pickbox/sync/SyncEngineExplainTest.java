package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;
import io.pickbox.sync.LocalTable.Local;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncEngine#explain} reads the three trees of one path (the wording is {@link PathReportTest}'s). */
class SyncEngineExplainTest {

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
        // Never started: nothing is compared or proposed while the test looks.
        fx = new EngineFixture(root, state, EngineFixture.neverAnswers());
        index = fx.index;
        table = fx.table;
        sync = fx.sync;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    /** Commits {@code path} and writes it here as this node would have synced it; returns its version. */
    private long synced(String path, String content) throws Exception {
        index.apply(n2.put(path, content, 0), 1);
        Entry e = index.get(path);
        Path file = root.resolve(path);
        Files.writeString(file, content);
        table.put(path, new Local(e.version(), e.sha256(), FileStat.of(file)));
        return e.version();
    }

    @Test
    void aFileAsCommittedIsInSync() throws Exception {
        long v = synced("a.txt", "one");
        assertThat(sync.explain("a.txt")).isEqualTo(new PathReport("in sync", null, v, true));
    }

    @Test
    void aFileEditedHereIsPendingItsProposal() throws Exception {
        long v = synced("a.txt", "one");
        Files.writeString(root.resolve("a.txt"), "one, then more");
        assertThat(sync.explain("a.txt")).isEqualTo(
                new PathReport("pending", "changed on this node's disk; the local edit is being proposed", v, true));
    }

    @Test
    void aNewFileIsPendingUntilCommitted() throws Exception {
        Files.writeString(root.resolve("new.txt"), "new");
        assertThat(sync.explain("new.txt")).isEqualTo(new PathReport("pending",
                "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)", null, true));
    }

    @Test
    void aPathKnownNowhereSaysSo() {
        assertThat(sync.explain("nowhere.txt")).isEqualTo(
                new PathReport("pending", "not on this node's disk and not committed", null, false));
    }

    @Test
    void aCommittedFileNotWrittenYetIsPendingItsMaterialization() throws Exception {
        index.apply(n2.put("remote.txt", "from elsewhere", 0), 1);
        long v = index.get("remote.txt").version();
        assertThat(sync.explain("remote.txt")).isEqualTo(new PathReport("pending",
                "committed version " + v + " not yet written to this node's folder", null, false));
    }
}
