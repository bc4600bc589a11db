package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.HistoryVersion.Ending;
import io.pickbox.index.Result.Status;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Version history in apply: what is kept, restores as committed changes, and retention by committed time. */
class IndexHistoryTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final long MINUTE = 60_000, HOUR = 60 * MINUTE, DAY = 24 * HOUR;

    private final Index index = new Index();
    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");
    private long logIndex;
    private long time = T0;

    @AfterEach
    void closeIndex() {
        index.close();
    }

    /** Applies {@code op} in its own entry, stamped {@code millis} later than the last one. */
    private Result at(long later, Op op) {
        time += later;
        return index.applyEntry(List.of(op), 1, ++logIndex, time).get(0);
    }

    private long commit(long later, Op op) {
        Result r = at(later, op);
        assertThat(r.status()).as("%s -> %s", op, r).isIn(Status.APPLIED);
        return r.version();
    }

    private RestoreReport report(Result r) {
        return RestoreReport.fromDetail(r.detail());
    }

    @Test
    void everyReplacedVersionIsKeptNewestFirstWithWhenAndWhoEndedIt() {
        long v1 = commit(1000, n1.put("a.txt", "one", 0));
        long v2 = commit(1000, n2.put("a.txt", "two", v1));
        commit(1000, n1.meta("a.txt", 0600, 5_000L, v2));

        List<HistoryVersion> h = index.history("a.txt", 10);
        assertThat(h).extracting(HistoryVersion::ending).containsExactly(Ending.CURRENT, Ending.CHANGED, Ending.EDITED);
        assertThat(h.get(0).entry().committedAt()).isEqualTo(T0 + 3000);
        assertThat(h.get(1).version()).isEqualTo(v2);
        assertThat(h.get(1).entry().sha256()).isEqualTo(sha("two"));
        assertThat(h.get(1).endedAt()).isEqualTo(T0 + 3000);
        assertThat(h.get(1).endedBy()).isEqualTo("n1");
        assertThat(h.get(2).version()).isEqualTo(v1);
        assertThat(h.get(2).entry().committedAt()).isEqualTo(T0 + 1000);
        assertThat(h.get(2).endedAt()).isEqualTo(T0 + 2000);
        assertThat(h.get(2).endedBy()).isEqualTo("n2");
        assertThat(index.version("a.txt", v1).entry().sha256()).isEqualTo(sha("one"));
        assertThat(index.historyStatus().versions()).isEqualTo(2);
        assertThat(index.historyHasChunk(sha("one"))).isTrue();
        // "two" is still the current content: it costs the history nothing; "one" does
        assertThat(index.historyStatus().bytes()).isEqualTo(3);
    }

    @Test
    void theClusterTimeNeverGoesBack() {
        commit(1000, n1.put("a.txt", "one", 0));
        index.applyEntry(List.of(n1.put("b.txt", "b", 0)), 1, ++logIndex, T0); // a leader whose clock is behind
        assertThat(index.get("b.txt").committedAt()).isEqualTo(T0 + 1000);
        assertThat(index.committedTime()).isEqualTo(T0 + 1000);
    }

    @Test
    void deletesRenamesAndRenamesOverAreKeptAndDeletionsAreInTheTrash() {
        long a = commit(1000, n1.put("d/a.txt", "a", 0));
        long b = commit(1000, n1.put("d/b.txt", "b", 0));
        long c = commit(1000, n1.put("c.txt", "c", 0));
        commit(1000, n1.rename("d/a.txt", "d/a2.txt", a, 0));
        commit(1000, n1.rename("c.txt", "d/b.txt", c, b));
        commit(1000, n2.deleteDir("d", index.versionClock()));

        assertThat(index.history("d/a.txt", 5)).extracting(HistoryVersion::ending, HistoryVersion::movedTo)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Ending.MOVED, "d/a2.txt"));
        assertThat(index.history("d/b.txt", 5)).extracting(HistoryVersion::ending).containsExactly(Ending.DELETED, Ending.REPLACED);
        // deleted together: the newest version first
        assertThat(index.trash("", null, 10)).extracting(HistoryVersion::path).containsExactly("d/b.txt", "d/a2.txt", "d");
        assertThat(index.trash("d/b.txt", null, 10)).singleElement().satisfies(v -> {
            assertThat(v.endedBy()).isEqualTo("n2");
            assertThat(v.entry().sha256()).isEqualTo(sha("c"));
        });
        List<HistoryVersion> first = index.trash("", null, 1);
        assertThat(index.trash("", first.get(0).cursor(), 10)).extracting(HistoryVersion::path).containsExactly("d/a2.txt", "d");
        // a path that exists again is not in the trash
        commit(1000, n1.put("d/b.txt", "new", 0));
        assertThat(index.trash("", null, 10)).extracting(HistoryVersion::path).containsExactly("d/a2.txt");
    }

    @Test
    void aVersionIsRestoredAsANewChangeAndCanBeRestoredBack() {
        long v1 = commit(1000, n1.put("a.txt", "one", 0));
        long v2 = commit(1000, n1.put("a.txt", "two", v1));

        Result r = at(1000, n2.restoreVersion("a.txt", v1, null, index.versionClock()));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(report(r).restored()).isEqualTo(1);
        assertThat(index.get("a.txt").sha256()).isEqualTo(sha("one"));
        assertThat(index.get("a.txt").version()).isGreaterThan(v2);
        assertThat(index.history("a.txt", 10)).extracting(HistoryVersion::ending)
                .containsExactly(Ending.CURRENT, Ending.RESTORED, Ending.EDITED);

        Result back = at(1000, n2.restoreVersion("a.txt", v2, null, index.versionClock()));
        assertThat(back.status()).isEqualTo(Status.APPLIED);
        assertThat(index.get("a.txt").sha256()).isEqualTo(sha("two"));

        Result again = at(1000, n2.restoreVersion("a.txt", v2, null, index.versionClock()));
        assertThat(again.status()).isEqualTo(Status.NOOP);
        assertThat(report(again).unchanged()).isEqualTo(1);
    }

    @Test
    void aVersionRestoredElsewhereOrOverAChangeItDidNotSeeLeavesTheCurrentOne() {
        long v1 = commit(1000, n1.put("a.txt", "one", 0));
        long seen = index.versionClock();
        commit(1000, n1.put("a.txt", "two", v1));

        Result to = at(1000, n2.restoreVersion("a.txt", v1, "a.old.txt", seen));
        assertThat(to.path()).isEqualTo("a.old.txt");
        assertThat(index.get("a.old.txt").sha256()).isEqualTo(sha("one"));

        Result over = at(1000, n2.restoreVersion("a.txt", v1, null, seen));
        assertThat(over.status()).isEqualTo(Status.CONFLICT);
        assertThat(index.get("a.txt").sha256()).isEqualTo(sha("two"));
        assertThat(index.get(over.path()).sha256()).isEqualTo(sha("one"));
        assertThat(report(over).conflicts()).isEqualTo(1);
    }

    @Test
    void unknownVersionsAndTimesBeforeTheWindowAreRejectedAndChangeNothing() {
        commit(1000, n1.put("a.txt", "one", 0));
        long clock = index.versionClock();
        assertThat(at(1000, n2.restoreVersion("a.txt", 999, null, clock)).status()).isEqualTo(Status.REJECTED);
        assertThat(at(1000, n2.restoreTree("", T0 - 31 * DAY, clock)).status()).isEqualTo(Status.REJECTED);
        assertThat(at(1000, n2.restoreVersion("../x", 1, null, clock)).status()).isEqualTo(Status.REJECTED);
        assertThat(index.versionClock()).isEqualTo(clock);
    }

    @Test
    void aTreeComesBackAsItWasDeletedFilesDirectoriesAndModesIncluded() {
        commit(1000, n1.mkdir("docs"));
        long a = commit(1000, n1.put("docs/a.txt", "a1", 0));
        commit(1000, n1.put("docs/sub/b.txt", "b1", 0644, 1_000L, 0));
        commit(1000, n1.meta("docs/sub", 0700, 2_000L, index.get("docs/sub").version()));
        long between = time + 500;
        commit(1000, n1.put("docs/a.txt", "a2", a));
        commit(1000, n1.put("docs/new.txt", "new", 0));
        commit(1000, n2.deleteDir("docs/sub", index.versionClock()));

        Result r = at(1000, n2.restoreTree("docs", between, index.versionClock()));
        RestoreReport rep = report(r);
        assertThat(index.get("docs/a.txt").sha256()).isEqualTo(sha("a1"));
        assertThat(index.get("docs/sub/b.txt").sha256()).isEqualTo(sha("b1"));
        assertThat(index.get("docs/sub").mode()).isEqualTo(0700);
        assertThat(index.get("docs/new.txt")).isNotNull();
        assertThat(rep.restored()).isEqualTo(3); // a.txt, sub, sub/b.txt
        assertThat(rep.unchanged()).isEqualTo(1); // docs
        assertThat(rep.newer()).isEqualTo(1); // new.txt
        assertThat(rep.next()).isNull();
    }

    @Test
    void aTreeRestoreKeepsWhatChangedAfterItWasAskedFor() {
        long a = commit(1000, n1.put("a.txt", "a1", 0));
        long b = commit(1000, n1.put("b.txt", "b1", 0));
        long between = time + 1;
        a = commit(1000, n1.put("a.txt", "a2", a));
        commit(1000, n1.put("b.txt", "b2", b));
        long seen = index.versionClock();
        commit(1000, n2.put("a.txt", "a3", a)); // after the restore was asked for

        RestoreReport rep = report(at(1000, n1.restoreTree("", between, seen)));
        assertThat(index.get("a.txt").sha256()).isEqualTo(sha("a3"));
        assertThat(index.get("b.txt").sha256()).isEqualTo(sha("b1"));
        assertThat(rep.kept()).isEqualTo(1);
        assertThat(rep.restored()).isEqualTo(1);
    }

    @Test
    void aLargeTreeIsRestoredInBoundedStepsThatGoOnWhereTheLastStopped() {
        int n = Applier.RESTORE_PATHS_PER_OP + 900;
        List<Op> puts = new ArrayList<>();
        for (int i = 0; i < n; i++) puts.add(n1.put(String.format("t/f%05d", i), "x" + i, 0));
        time += 1000;
        for (int i = 0; i < n; i += 500) index.applyEntry(puts.subList(i, Math.min(n, i + 500)), 1, ++logIndex, time);
        long before = time + 1;
        commit(1000, n2.deleteDir("t", index.versionClock()));
        assertThat(index.get("t/f00000")).isNull();

        Op.Restore op = n1.restoreTree("t", before, index.versionClock());
        RestoreReport total = RestoreReport.NONE;
        int ops = 0;
        for (Op.Restore next = op; next != null; ops++) {
            RestoreReport part = report(at(10, next));
            total = total.plus(part);
            next = part.next() == null ? null : new Op.Restore(n1.next(), "t", 0, before, null, op.seen(), part.next());
        }
        assertThat(ops).isEqualTo(2);
        assertThat(total.restored()).isEqualTo(n + 1); // the directory too
        for (int i = 0; i < n; i++) assertThat(index.get(String.format("t/f%05d", i)).sha256()).isEqualTo(sha("x" + i));
    }

    @Test
    void versionsExpireAfterTheRetentionPeriodAndFreeTheirChunks() {
        long v = commit(1000, n1.put("a.txt", "old", 0));
        commit(1000, n1.put("a.txt", "new", v));
        assertThat(index.historyHasChunk(sha("old"))).isTrue();

        commit(29 * DAY, n1.history(-1, -1, 0));
        assertThat(index.history("a.txt", 10)).hasSize(2);
        commit(2 * DAY, n1.history(-1, -1, 0));
        assertThat(index.history("a.txt", 10)).hasSize(1);
        assertThat(index.historyHasChunk(sha("old"))).isFalse();
        assertThat(index.historyStatus().bytes()).isZero();
        assertThat(index.historyStatus().versions()).isZero();
    }

    @Test
    void olderVersionsAreThinnedToOnePerHourThenOnePerDay() {
        long v = commit(1000, n1.put("a.txt", "v0", 0));
        // six edits 10 minutes apart: all in the same hour (T0 is on the hour boundary's side we choose)
        time = (time / HOUR + 1) * HOUR;
        for (int i = 1; i <= 6; i++) v = commit(10 * MINUTE, n1.put("a.txt", "v" + i, v));
        assertThat(index.history("a.txt", 20)).hasSize(7);

        commit(DAY, n1.history(-1, -1, 0));
        // the versions that ended in that hour: only the last of them stays
        List<HistoryVersion> h = index.history("a.txt", 20);
        assertThat(h).hasSizeLessThan(7);
        long hour = h.get(1).endedAt() / HOUR;
        assertThat(h.stream().skip(1).filter(x -> x.endedAt() / HOUR == hour)).hasSize(1);
        assertThat(h.get(0).entry().sha256()).isEqualTo(sha("v6"));
    }

    @Test
    void theCapDropsTheOldestVersionsAndAPurgeDropsEverythingBefore() {
        long v = commit(1000, n1.put("a.txt", "0123456789", 0));
        for (int i = 0; i < 5; i++) v = commit(1000, n1.put("a.txt", "content " + i, v));
        assertThat(index.historyStatus().versions()).isEqualTo(5);
        long bytes = index.historyStatus().bytes();
        assertThat(bytes).isEqualTo(10 + 4 * 9);

        commit(1000, n1.history(-1, 30, 0));
        HistoryStatus capped = index.historyStatus();
        assertThat(capped.bytes()).isLessThanOrEqualTo(30);
        assertThat(index.history("a.txt", 10).get(1).entry().sha256()).isEqualTo(sha("content 3"));
        assertThat(index.historyHasChunk(sha("0123456789"))).isFalse();

        long purge = time + 1;
        commit(1000, n1.history(-1, 0, purge));
        assertThat(index.historyStatus().versions()).isZero();
        assertThat(index.historyStatus().restorableSince()).isEqualTo(purge);
    }

    @Test
    void onlyWhatNoCurrentFileHoldsCountsAgainstTheCap() {
        List<String> v1 = List.of(sha("c1"), sha("c2"), sha("c3"), sha("c4"));
        List<String> v2 = List.of(sha("c1"), sha("c2"), sha("c3"), sha("c5"));
        long size = 3L * io.pickbox.folder.Hashing.CHUNK_SIZE + 10;
        long v = commit(1000, n1.chunkedPut("big", size, sha("v1"), v1, 0));
        v = commit(1000, n1.chunkedPut("big", size, sha("v2"), v2, v));
        assertThat(index.historyStatus().bytes()).isEqualTo(10); // the last chunk, the only one changed
        v = commit(1000, n1.rename("big", "moved", v, 0));
        assertThat(index.historyStatus().bytes()).isEqualTo(10); // a rename costs nothing
        commit(1000, n1.delete("moved", v));
        assertThat(index.historyStatus().bytes()).isEqualTo(size + 10); // now every chunk is the history's alone
        Result back = at(1000, n2.restoreVersion("moved", index.history("moved", 1).get(0).version(), null, index.versionClock()));
        assertThat(back.status()).isEqualTo(Status.APPLIED);
        assertThat(index.historyStatus().bytes()).isEqualTo(10);
    }

    @Test
    void historyTurnedOffLetsWhatItKeptGo() {
        long v = commit(1000, n1.put("a.txt", "one", 0));
        commit(1000, n1.put("a.txt", "two", v));
        assertThat(index.historyStatus().versions()).isEqualTo(1);
        commit(1000, n1.history(0, -1, 0));
        assertThat(index.historyStatus().versions()).isZero();
        assertThat(index.historyHasChunk(sha("one"))).isFalse();
    }

    @Test
    void historyOffKeepsNothing() {
        commit(1000, n1.history(0, -1, 0));
        long v = commit(1000, n1.put("a.txt", "one", 0));
        commit(1000, n1.put("a.txt", "two", v));
        assertThat(index.history("a.txt", 10)).hasSize(1);
        assertThat(index.historyStatus().enabled()).isFalse();
    }

    @Test
    void aCopyOfTheIndexHasTheSameHistory() {
        long v = commit(1000, n1.put("a.txt", "one", 0));
        commit(1000, n1.put("a.txt", "two", v));
        commit(1000, n2.delete("a.txt", index.get("a.txt").version()));
        try (Index copy = new Index()) {
            copy.replaceWith(index.store());
            assertThat(copy.history("a.txt", 10)).isEqualTo(index.history("a.txt", 10));
            assertThat(copy.trash("", null, 10)).isEqualTo(index.trash("", null, 10));
            assertThat(copy.historyStatus()).isEqualTo(index.historyStatus());
        }
    }
}
