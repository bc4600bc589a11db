package io.pickbox.sync;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.index.TestOps;
import io.pickbox.sync.MassChangeDetector.MassChange;
import io.pickbox.sync.MassChangeDetector.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bursts of deletions and rewrites by one node are flagged once, with the restore that undoes them. */
class MassChangeDetectorTest {

    private static final long T0 = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();

    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong wall = new AtomicLong(T0);
    private final List<MassChange> flagged = new ArrayList<>();
    private final List<Long> flaggedAt = new ArrayList<>();
    private final Index index = new Index();
    private long logIndex;

    @AfterEach
    void close() {
        index.close();
    }

    private MassChangeDetector detector(int files, Duration window) {
        MassChangeDetector d = new MassChangeDetector(new Settings(files, window), committed::get, wall::get);
        d.onFlag((i, c) -> {
            flaggedAt.add(i);
            flagged.add(c);
        });
        return d;
    }

    /** {@code n} files deleted by {@code node} at {@code at}, each in its own op. */
    private static void deletes(MassChangeDetector d, String node, long at, int n, String dir) {
        for (int i = 0; i < n; i++) d.record(node, at, 1, 0, dir);
    }

    private Result apply(Op op) {
        return index.apply(op, ++logIndex);
    }

    @Test
    void moreThanTheThresholdWithinTheWindowIsFlaggedOnce() {
        MassChangeDetector d = detector(1000, Duration.ofSeconds(60));
        for (int i = 0; i < 1000; i++) assertThat(d.record("node1", T0 + i, 1, 0, "docs")).isNull();
        MassChange flag = d.record("node1", T0 + 1000, 1, 0, "docs");
        assertThat(flag).isNotNull();
        assertThat(flag.node()).isEqualTo("node1");
        assertThat(flag.deleted()).isEqualTo(1001);
        assertThat(flag.since()).isEqualTo(T0);
        // The burst goes on: not flagged again, its counts grow.
        for (int i = 0; i < 5000; i++) assertThat(d.record("node1", T0 + 2000 + i * 10, 0, 1, "docs")).isNull();
        assertThat(d.recent()).hasSize(1);
        assertThat(d.recent().get(0).deleted()).isEqualTo(1001);
        assertThat(d.recent().get(0).rewritten()).isEqualTo(5000);
        assertThat(d.flaggedCount()).isEqualTo(1);
    }

    @Test
    void changesSpreadOverMoreThanTheWindowAreNotAMassChange() {
        MassChangeDetector d = detector(1000, Duration.ofSeconds(60));
        deletes(d, "node1", T0, 600, "a");
        deletes(d, "node1", T0 + 61_000, 600, "a");
        deletes(d, "node1", T0 + 122_000, 600, "a");
        assertThat(d.recent()).isEmpty();
        // 600 more within the window of the last 600: over the threshold.
        assertThat(d.record("node1", T0 + 130_000, 600, 0, "a")).isNotNull();
        assertThat(d.recent().get(0).since()).as("the first change still in the window").isEqualTo(T0 + 122_000);
    }

    @Test
    void eachNodeIsCountedOnItsOwn() {
        MassChangeDetector d = detector(1000, Duration.ofSeconds(60));
        deletes(d, "node1", T0, 700, "a");
        deletes(d, "node2", T0, 700, "a");
        assertThat(d.recent()).isEmpty();
    }

    @Test
    void aPauseOfAWindowEndsTheBurstAndTheNextOneIsFlaggedAgain() {
        MassChangeDetector d = detector(10, Duration.ofSeconds(60));
        assertThat(d.record("node1", T0, 11, 0, "x")).isNotNull();
        assertThat(d.record("node1", T0 + 59_000, 50, 0, "x")).as("the same burst").isNull();
        assertThat(d.record("node1", T0 + 59_000 + 60_000, 5, 0, "y")).as("a new burst, below the threshold").isNull();
        MassChange second = d.record("node1", T0 + 59_000 + 61_000, 6, 0, "y");
        assertThat(second).isNotNull();
        assertThat(second.since()).isEqualTo(T0 + 119_000);
        assertThat(second.prefix()).isEqualTo("y");
        List<MassChange> recent = d.recent();
        assertThat(recent).extracting(MassChange::prefix).containsExactly("y", "x");
        assertThat(recent.get(1).deleted()).isEqualTo(61);
    }

    @Test
    void theUndoRestoresTheCommonDirectoryToOneSecondBeforeTheFirstChange() {
        MassChangeDetector d = detector(2, Duration.ofSeconds(60));
        d.record("node1", T0 + 1500, 1, 0, "projects/a/src");
        d.record("node1", T0 + 1600, 1, 0, "projects/a/test");
        MassChange flag = d.record("node1", T0 + 1700, 0, 1, "projects/ab");
        assertThat(flag.prefix()).isEqualTo("projects");
        assertThat(flag.restoreAt()).isEqualTo(Instant.parse("2026-12-05T10:00:00.500Z"));
        assertThat(flag.undo()).isEqualTo("pickbox restore projects --at \"2026-12-05T10:00:00.500Z\"");
        assertThat(flag.describe()).containsEntry("type", "mass-change").containsEntry("node", "node1")
                .containsEntry("deleted", 2L).containsEntry("rewritten", 1L).containsEntry("path", "projects")
                .containsEntry("at", "2026-12-05T10:00:00.500Z").containsEntry("undo", flag.undo());
    }

    @Test
    void changesAllOverTheFolderAreUndoneFromTheTop() {
        MassChangeDetector d = detector(1, Duration.ofSeconds(60));
        d.record("node1", T0, 1, 0, "a");
        MassChange flag = d.record("node1", T0, 1, 0, "b/c");
        assertThat(flag.prefix()).isEmpty();
        assertThat(flag.path()).isEqualTo("/");
        assertThat(flag.undo()).startsWith("pickbox restore / --at ");
    }

    @Test
    void aDirectoryNameTheShellWouldSplitIsQuoted() {
        assertThat(new MassChange("n", 5, 0, T0, T0, "My Documents/it's").undo())
                .isEqualTo("pickbox restore 'My Documents/it'\\''s' --at \"2026-12-05T09:59:59Z\"");
    }

    @Test
    void theCommonDirectoryIsWholeNames() {
        assertThat(MassChangeDetector.commonDirectory("docs/a", "docs/ab")).isEqualTo("docs");
        assertThat(MassChangeDetector.commonDirectory("docs", "docs/x/y")).isEqualTo("docs");
        assertThat(MassChangeDetector.commonDirectory("docs/x", "docs/x")).isEqualTo("docs/x");
        assertThat(MassChangeDetector.commonDirectory("ab", "ac")).isEmpty();
        assertThat(MassChangeDetector.commonDirectory("", "x")).isEmpty();
    }

    @Test
    void onlyTheLastTenBurstsAreListedNewestFirst() {
        MassChangeDetector d = detector(1, Duration.ofSeconds(1));
        for (int i = 0; i < 12; i++) d.record("node1", T0 + i * 10_000L, 2, 0, "d" + i);
        assertThat(d.recent()).hasSize(MassChangeDetector.RECENT);
        assertThat(d.recent().get(0).prefix()).isEqualTo("d11");
        assertThat(d.recent().get(9).prefix()).isEqualTo("d2");
        assertThat(d.flaggedCount()).isEqualTo(12);
    }

    @Test
    void theGaugeCountsTheFilesOfTheBusiestNodeInTheWindowUpToNow() {
        MassChangeDetector d = detector(1000, Duration.ofSeconds(60));
        deletes(d, "node1", T0, 300, "a");
        deletes(d, "node2", T0 + 1000, 200, "a");
        wall.set(T0 + 2000);
        assertThat(d.filesInWindow()).isEqualTo(300);
        wall.set(T0 + 60_500);
        assertThat(d.filesInWindow()).isEqualTo(200);
        wall.set(T0 + 62_000);
        assertThat(d.filesInWindow()).isZero();
    }

    @Test
    void commitTimesOutOfOrderNeverMoveTheWindowBack() {
        MassChangeDetector d = detector(3, Duration.ofSeconds(60));
        d.record("node1", T0 + 100_000, 2, 0, "a");
        // A new leader with a clock behind: counted at the latest time seen, still in the window.
        MassChange flag = d.record("node1", T0, 2, 0, "a");
        assertThat(flag).isNotNull();
        assertThat(flag.since()).isEqualTo(T0 + 100_000);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Settings(0, Duration.ofSeconds(60))).hasMessageContaining("--mass-change-files");
        assertThatThrownBy(() -> new Settings(10, Duration.ofMillis(10))).hasMessageContaining("--mass-change-window");
        assertThatThrownBy(() -> new Settings(10, Duration.ofDays(2))).hasMessageContaining("--mass-change-window");
    }

    // ---------------------------------------------------------------- from the ops the index applies

    @Test
    void aTreeDeletedOnOneNodeIsFlaggedFromTheIndexsAnnouncements() {
        MassChangeDetector d = detector(20, Duration.ofSeconds(60));
        index.addListener(d);
        TestOps n1 = new TestOps("node1");
        for (int i = 0; i < 25; i++) apply(n1.put("photos/2026/img" + i + ".jpg", "picture " + i, 0));
        for (int i = 0; i < 5; i++) apply(n1.put("photos/2025/img" + i + ".jpg", "older " + i, 0));
        assertThat(flagged).isEmpty();
        committed.set(T0 + 5_000);
        Result r = apply(new TestOps("node2").deleteDir("photos", index.versionClock()));
        assertThat(r.status()).isEqualTo(Result.Status.APPLIED);

        assertThat(flagged).hasSize(1);
        MassChange flag = flagged.get(0);
        assertThat(flag.node()).isEqualTo("node2");
        assertThat(flag.deleted()).isEqualTo(30);
        assertThat(flag.rewritten()).isZero();
        assertThat(flag.prefix()).isEqualTo("photos");
        assertThat(flag.since()).isEqualTo(T0 + 5_000);
        assertThat(flaggedAt).containsExactly(logIndex);
    }

    @Test
    void rewritesCountAndMovesMetadataAndNewFilesDoNot() {
        MassChangeDetector d = detector(3, Duration.ofSeconds(60));
        index.addListener(d);
        TestOps n1 = new TestOps("node1");
        for (int i = 0; i < 4; i++) apply(n1.put("src/f" + i, "v1 " + i, 0));
        // A directory moved, and every file's mode changed: nothing deleted or rewritten.
        apply(n1.rename("src", "lib", index.get("src").version(), 0));
        for (int i = 0; i < 4; i++) apply(n1.meta("lib/f" + i, 0600, 2_000L, index.get("lib/f" + i).version()));
        assertThat(d.filesInWindow()).isZero();
        assertThat(flagged).isEmpty();

        // Each file given new content: the fourth crosses the threshold of three.
        for (int i = 0; i < 4; i++) apply(n1.put("lib/f" + i, "encrypted " + i, index.get("lib/f" + i).version()));
        assertThat(flagged).hasSize(1);
        assertThat(flagged.get(0).rewritten()).isEqualTo(4);
        assertThat(flagged.get(0).prefix()).isEqualTo("lib");
    }

    @Test
    void aFileRenamedOverAnotherRewritesIt() {
        MassChangeDetector d = detector(1, Duration.ofSeconds(60));
        index.addListener(d);
        TestOps n1 = new TestOps("node1");
        apply(n1.put("a.txt", "old", 0));
        apply(n1.put("b.tmp", "new", 0));
        apply(n1.put("c.txt", "old c", 0));
        apply(n1.put("d.tmp", "new d", 0));
        apply(n1.rename("b.tmp", "a.txt", index.get("b.tmp").version(), index.get("a.txt").version()));
        assertThat(d.filesInWindow()).isEqualTo(1);
        apply(n1.rename("d.tmp", "c.txt", index.get("d.tmp").version(), index.get("c.txt").version()));
        assertThat(flagged).hasSize(1);
        assertThat(flagged.get(0).rewritten()).isEqualTo(2);
        assertThat(flagged.get(0).deleted()).isZero();
    }

    @Test
    void restoresAreNotMassChanges() {
        MassChangeDetector d = detector(1, Duration.ofSeconds(60));
        // As the index announces a restore that rewrites and removes files.
        var before = new io.pickbox.index.Entry(io.pickbox.index.Entry.Kind.FILE, 1, 1, "aa", List.of("aa"), 0644, 1, "node1", null);
        d.changed("x/a", before, null);
        d.changed("x/b", before, null);
        d.applied(1, new Op.Restore(new Op.Origin("node1", 9), "x", 0, T0, null, 10, null), Result.applied("x", 0));
        assertThat(flagged).isEmpty();
        assertThat(d.filesInWindow()).isZero();
    }
}
