package io.pickbox.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.Hashing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;

/**
 * The history under random edits, deletes, renames, restores and retention changes spread over
 * weeks of committed time: what it says it holds is what it holds, and the same ops give the same
 * history on another node.
 */
class HistoryProperties {

    private static final List<String> PATHS = List.of("a", "b", "d/a", "d/b", "d/e/f");
    private static final long HOUR = 3_600_000L;

    @AfterTry
    void closeIndexes() {
        TempIndexes.closeAll();
    }

    /** kind: 0-3 put, 4 delete, 5 rename, 6 restore a version, 7 restore a tree, 8 settings; gap in minutes (up to 3 days). */
    record Step(int kind, int path, int path2, int content, int gapMinutes, int pick) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(0, PATHS.size() - 1),
                Arbitraries.integers().between(0, PATHS.size() - 1),
                Arbitraries.integers().between(0, 5),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 30)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 72 * 60))),
                Arbitraries.integers().between(0, 1000)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 80)
    void theHistoryHoldsWhatItCountsAndReplaysTheSame(@ForAll("steps") List<Step> steps) {
        Index index = TempIndexes.open();
        Index replica = TempIndexes.open();
        TestOps n1 = new TestOps("n1");
        long time = 1_800_000_000_000L;
        long logIndex = 0;
        for (Step s : steps) {
            time += s.gapMinutes() * 60_000L;
            Op op = opFor(s, index, n1, time);
            if (op == null) continue;
            logIndex++;
            index.applyEntry(List.of(op), 1, logIndex, time);
            replica.applyEntry(List.of(op), 1, logIndex, time);
            checkAccounts(index);
        }
        for (String p : PATHS) assertThat(replica.history(p, 1000)).isEqualTo(index.history(p, 1000));
        assertThat(replica.trash("", null, 1000)).isEqualTo(index.trash("", null, 1000));
        assertThat(replica.historyStatus()).isEqualTo(index.historyStatus());
    }

    private static Op opFor(Step s, Index index, TestOps n1, long time) {
        String path = PATHS.get(s.path());
        Entry cur = index.get(path);
        return switch (s.kind()) {
            case 0, 1, 2, 3 -> cur != null && cur.isDir() ? null
                    : n1.put(path, "content " + s.content(), cur == null ? 0 : cur.version());
            case 4 -> cur == null ? null : cur.isFile() ? n1.delete(path, cur.version()) : n1.deleteDir(path, index.versionClock());
            case 5 -> cur == null || !cur.isFile() ? null : n1.rename(path, PATHS.get(s.path2()), cur.version(),
                    index.get(PATHS.get(s.path2())) == null ? 0 : index.get(PATHS.get(s.path2())).version());
            case 6 -> {
                List<HistoryVersion> h = index.history(path, 100);
                yield h.isEmpty() ? null : n1.restoreVersion(path, h.get(s.pick() % h.size()).version(), null, index.versionClock());
            }
            case 7 -> n1.restoreTree(s.path() == 0 ? "" : "d", Math.max(index.historyStatus().restorableSince(),
                    time - (long) s.pick() * HOUR), index.versionClock());
            default -> n1.history(s.pick() % 3 == 0 ? 2 + s.pick() % 5 : -1, s.pick() % 4 == 0 ? 10 + s.pick() % 40 : -1, 0);
        };
    }

    /** The bytes and versions the history reports are those of the versions it lists, each chunk once, but for those of current files. */
    private static void checkAccounts(Index index) {
        Map<String, Long> chunks = new HashMap<>();
        long versions = 0;
        List<String> paths = new ArrayList<>(PATHS);
        paths.add("d");
        paths.add("d/e");
        for (String p : paths) {
            for (HistoryVersion v : index.history(p, 10_000)) {
                if (v.current()) continue;
                versions++;
                List<String> cs = v.entry().chunks();
                for (int i = 0; i < cs.size(); i++) {
                    chunks.put(cs.get(i), Math.min(Hashing.CHUNK_SIZE, v.entry().size() - (long) i * Hashing.CHUNK_SIZE));
                    assertThat(index.historyHasChunk(cs.get(i))).isTrue();
                }
            }
        }
        // a chunk a current file holds costs the history nothing
        index.forEach("", (p, e) -> e.chunks().forEach(chunks::remove));
        HistoryStatus status = index.historyStatus();
        assertThat(status.versions()).isEqualTo(versions);
        assertThat(status.bytes()).isEqualTo(chunks.values().stream().mapToLong(Long::longValue).sum());
    }
}
