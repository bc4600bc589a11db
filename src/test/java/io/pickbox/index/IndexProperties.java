package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.PathValidator;
import io.pickbox.index.Result.Status;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;

/**
 * Apply as a pure function: random op sequences over a small, collision-prone path alphabet.
 *
 * <p>A generated {@link Step} is abstract (indices into the alphabets); {@link Driver} turns it into a
 * concrete op against the index it drives, choosing bases the way proposers do: the current
 * version, some version seen earlier, or 0. The concrete ops are then replayed elsewhere.
 */
class IndexProperties {

    @AfterTry
    void closeIndexes() {
        TempIndexes.closeAll();
    }

    static final List<String> PATHS = List.of("a", "b", "a/x", "b/y", "A", "a/x/z", "B", "c.txt", "C.TXT", "a/X");
    static final List<String> BAD_PATHS = List.of("../a", "/a", ".pickbox/a", "a//b", "a\u0000");
    static final List<String> NODES = List.of("n1", "n2", "n3");

    /**
     * kind: 0-3 PUT, 4 MKDIR, 5 DELETE, 6-8 RENAME, 9 META; flags: 0 retry of an old seq, 1 bad path,
     * 2-29 (DELETE, RENAME, META) an existing path rather than one from the alphabet.
     */
    record Step(int kind, int node, int path, int path2, int content, int base, int meta, int flags) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, NODES.size() - 1),
                Arbitraries.integers().between(0, PATHS.size() - 1),
                Arbitraries.integers().between(0, PATHS.size() - 1),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 39)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    // ------------------------------------------------------------ content model

    /** Content i: size, hash and chunks. 0 is the empty file; chunk "k0" is shared by odd contents. */
    static Op.Put putOf(Op.Origin o, String path, int content, int mode, long mtime, long base) {
        if (content == 0) return new Op.Put(o, path, 0, sha(""), List.of(), mode, mtime, base, false);
        List<String> chunks = content == 1
                ? List.of(sha("k1"))
                : List.of(sha("k" + content), sha("k" + (content % 2)));
        return new Op.Put(o, path, 100L * content, sha("c" + content), chunks, mode, mtime, base, chunks.size() == 1);
    }

    /** Turns steps into concrete ops, applying each to the index it drives. */
    static final class Driver {
        final Index index = TempIndexes.open();
        final Map<String, Long> seqs = new HashMap<>();
        final List<Long> seenVersions = new ArrayList<>(List.of(0L));
        final Set<String> chunksEverPut = new HashSet<>();
        long logIndex = 10;

        Op opFor(Step s) {
            String node = NODES.get(s.node());
            long seq = seqs.merge(node, 1L, Long::sum);
            if (s.flags() == 0 && seq > 2) seq -= 2; // a retry of an op already applied (or an older one)
            Op.Origin o = new Op.Origin(node, seq);
            String path = s.flags() == 1 ? BAD_PATHS.get(s.path() % BAD_PATHS.size()) : PATHS.get(s.path());
            List<Map.Entry<String, Entry>> existing = index.list("");
            if (s.kind() >= 5 && s.flags() >= 2 && s.flags() < 30 && !existing.isEmpty()) {
                path = existing.get((s.path() * 7 + s.flags()) % existing.size()).getKey();
            }
            String path2 = PATHS.get(s.path2());
            long base = base(path, s.base());
            int mode = s.meta() % 2 == 0 ? 0644 : 0755;
            long mtime = 1000 + s.meta() / 2;
            return switch (s.kind()) {
                case 0, 1, 2, 3 -> putOf(o, path, s.content(), mode, mtime, base);
                case 4 -> new Op.Mkdir(o, path, 0755, mtime);
                case 5 -> new Op.Delete(o, path, base, seen(s.base()));
                case 6, 7, 8 -> new Op.Rename(o, path, path2, base, base(path2, s.content() * 20));
                default -> new Op.Meta(o, path, mode, mtime, base);
            };
        }

        /** Mostly the current version (so changes apply), else any version seen so far. */
        private long base(String path, int choice) {
            Entry cur = index.get(path);
            if (cur != null && choice < 60) return cur.version();
            return seenVersions.get(choice % seenVersions.size());
        }

        private long seen(int choice) {
            return choice < 50 ? index.versionClock() : seenVersions.get(choice % seenVersions.size());
        }

        Result apply(Op op) {
            if (op instanceof Op.Put p) chunksEverPut.addAll(p.chunks());
            Result r = index.apply(op, ++logIndex);
            if (r.version() != 0) seenVersions.add(r.version());
            return r;
        }
    }

    record Run(List<Op> ops, List<Result> results, Driver driver) {}

    static Run run(List<Step> steps) {
        Driver d = new Driver();
        List<Op> ops = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (Step s : steps) {
            Op op = d.opFor(s);
            ops.add(op);
            results.add(d.apply(op));
        }
        return new Run(ops, results, d);
    }

    // ------------------------------------------------------------ (1) determinism

    @Property(tries = 150)
    void sameOpsGiveTheSameStateAndResults(@ForAll("steps") List<Step> steps) {
        Run first = run(steps);
        Index second = TempIndexes.open();
        long log = 10;
        List<Result> results = new ArrayList<>();
        for (Op op : first.ops()) results.add(second.apply(op, ++log));

        assertThat(results).isEqualTo(first.results());
        assertThat(second.state()).isEqualTo(first.driver().index.state());
        assertThat(second.fileBytes()).isEqualTo(first.driver().index.fileBytes());
        assertThat(second.conflictCount()).isEqualTo(second.conflicts().size());
    }

    // ------------------------------------------------------------ (1b) the store survives a reopen

    @Property(tries = 75)
    void closingAndReopeningTheStoreChangesNothing(@ForAll("steps") List<Step> steps,
                                                   @ForAll @IntRange(min = 0, max = 60) int cut) throws IOException {
        Run uninterrupted = run(steps);
        int at = Math.min(cut, steps.size());
        Path dir = Files.createTempDirectory("pickbox-reopen");
        try {
            long log = 10;
            List<Result> results = new ArrayList<>();
            try (Store store = Store.open(dir, StoreOptions.SMALL)) {
                Index index = new Index(store);
                for (Op op : uninterrupted.ops().subList(0, at)) results.add(index.apply(op, ++log));
            }
            try (Store store = Store.open(dir, StoreOptions.SMALL)) {
                Index index = new Index(store);
                assertThat(index.appliedIndex()).isEqualTo(at == 0 ? 0 : log);
                for (Op op : uninterrupted.ops().subList(at, steps.size())) results.add(index.apply(op, ++log));

                Index expected = uninterrupted.driver().index;
                assertThat(results).isEqualTo(uninterrupted.results());
                assertThat(index.state()).isEqualTo(expected.state());
                assertThat(index.versionClock()).isEqualTo(expected.versionClock());
                assertThat(index.size()).isEqualTo(expected.size());
                assertThat(index.fileBytes()).isEqualTo(expected.fileBytes());
                assertThat(index.conflictCount()).isEqualTo(expected.conflictCount());
                assertThat(index.trust()).isEqualTo(expected.trust());
                for (String chunk : uninterrupted.driver().chunksEverPut) {
                    assertThat(index.hasChunk(chunk)).isEqualTo(expected.hasChunk(chunk));
                }
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------ (2) snapshot equivalence

    @Property(tries = 150)
    void snapshotAndRestoreAtAnyPointChangesNothing(@ForAll("steps") List<Step> steps,
                                                    @ForAll @IntRange(min = 0, max = 60) int cut) throws IOException {
        Run uninterrupted = run(steps);
        int at = Math.min(cut, steps.size());

        Index before = TempIndexes.open();
        long log = 10;
        for (Op op : uninterrupted.ops().subList(0, at)) before.apply(op, ++log);
        Index restored = TempIndexes.open();
        restored.restore(IndexStateTest.read(IndexStateTest.write(before.state())));

        List<Result> rest = new ArrayList<>();
        for (Op op : uninterrupted.ops().subList(at, steps.size())) rest.add(restored.apply(op, ++log));

        assertThat(rest).isEqualTo(uninterrupted.results().subList(at, steps.size()));
        Index expected = uninterrupted.driver().index;
        assertThat(restored.state()).isEqualTo(expected.state());
        assertThat(restored.fileBytes()).isEqualTo(expected.fileBytes());
        assertThat(restored.conflictCount()).isEqualTo(expected.conflicts().size());
        for (String chunk : uninterrupted.driver().chunksEverPut) {
            assertThat(restored.hasChunk(chunk)).isEqualTo(expected.hasChunk(chunk));
        }
    }

    // ------------------------------------------------------------ (3) invariants, (4) no lost content

    @Property(tries = 250)
    void invariantsHoldAfterEveryOp(@ForAll("steps") List<Step> steps) {
        Driver d = new Driver();
        for (Step s : steps) {
            Op op = d.opFor(s);
            Result r = d.apply(op);
            Statistics.label("op -> status").collect(op.getClass().getSimpleName() + " " + r.status());
            checkInvariants(d, op, r);
        }
    }

    @Property(tries = 250)
    void everyAppliedOrConflictingPutIsFoundAtItsResultPath(@ForAll("steps") List<Step> steps) {
        Driver d = new Driver();
        for (Step s : steps) {
            Op op = d.opFor(s);
            Result r = d.apply(op);
            if (op instanceof Op.Put p && (r.status() == Status.APPLIED || r.status() == Status.CONFLICT)) {
                Entry e = d.index.get(r.path());
                assertThat(e).as("%s -> %s", op, r).isNotNull();
                assertThat(e.isFile()).isTrue();
                assertThat(e.sha256()).isEqualTo(p.sha256());
                assertThat(e.chunks()).isEqualTo(p.chunks());
                assertThat(e.version()).isEqualTo(r.version());
            }
            if (op instanceof Op.Put p && r.status() == Status.NOOP) {
                assertThat(d.index.get(p.path()).sha256()).as("%s -> %s", op, r).isEqualTo(p.sha256());
            }
        }
    }

    /** What a change result promises: the path it names holds the version it names. */
    @Property(tries = 150)
    void changeResultsNameTheEntryTheyMade(@ForAll("steps") List<Step> steps) {
        Driver d = new Driver();
        for (Step s : steps) {
            Op op = d.opFor(s);
            Result r = d.apply(op);
            if (r.changedIndex() && r.path() != null && r.version() != 0) {
                assertThat(d.index.get(r.path())).as("%s -> %s", op, r).isNotNull()
                        .extracting(Entry::version).isEqualTo(r.version());
            }
            if (r.status() == Status.CONFLICT && !(op instanceof Op.Rename)) {
                assertThat(d.index.get(r.path()).conflictOf()).as("%s -> %s", op, r).isNotNull();
            }
        }
    }

    /**
     * Modification wins: an existing entry is only replaced or removed by an op whose base names its
     * version (or, for a directory delete, that was not changed after {@code seen}), or moved by a rename.
     */
    @Property(tries = 250)
    void noEntryIsOverwrittenOrDroppedByAnOpThatHadNotSeenIt(@ForAll("steps") List<Step> steps) {
        Driver d = new Driver();
        for (Step s : steps) {
            Op op = d.opFor(s);
            Map<String, Entry> before = new HashMap<>();
            d.index.list("").forEach(e -> before.put(e.getKey(), e.getValue()));
            Result r = d.apply(op);
            for (var e : before.entrySet()) {
                String path = e.getKey();
                Entry old = e.getValue();
                Entry now = d.index.get(path);
                if (old.equals(now)) continue;
                String why = "%s -> %s touched %s (was %s, now %s)".formatted(op, r, path, old, now);
                if (op instanceof Op.Put p) {
                    assertThat(path).as(why).isEqualTo(p.path());
                    assertThat(old.version()).as(why).isEqualTo(p.base());
                    assertThat(now.sha256()).as(why).isEqualTo(p.sha256());
                } else if (op instanceof Op.Meta m) {
                    assertThat(path).as(why).isEqualTo(m.path());
                    assertThat(old.version()).as(why).isEqualTo(m.base());
                } else if (op instanceof Op.Delete del) {
                    assertThat(now).as(why).isNull();
                    if (path.equals(del.path()) && old.isFile()) {
                        assertThat(old.version()).as(why).isEqualTo(del.base());
                    } else {
                        assertThat(path.equals(del.path()) || path.startsWith(del.path() + "/")).as(why).isTrue();
                        assertThat(old.version()).as(why).isLessThanOrEqualTo(del.seen());
                    }
                } else if (op instanceof Op.Rename ren) {
                    boolean moved = path.equals(ren.from()) || path.startsWith(ren.from() + "/");
                    if (moved) {
                        String movedTo = r.path() + path.substring(ren.from().length());
                        Entry there = d.index.get(movedTo);
                        assertThat(there).as(why + " moved to " + movedTo).isNotNull();
                        assertThat(there.sha256()).as(why).isEqualTo(old.sha256());
                        assertThat(there.kind()).as(why).isEqualTo(old.kind());
                    } else {
                        assertThat(path).as(why).isEqualTo(ren.to());
                        assertThat(old.isFile()).as(why).isTrue();
                        assertThat(old.version()).as(why).isEqualTo(ren.dstBase());
                    }
                } else {
                    throw new AssertionError(why);
                }
            }
        }
    }

    // ------------------------------------------------------------ (5) apply never throws

    @Provide
    Arbitrary<String> oddPaths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().withChars("aAbB.-é\u0301").ofMinLength(1).ofMaxLength(4),
                Arbitraries.of("..", ".", ".pickbox", ".pickbox-tmp-1", "", "x\u0000", "C:", "s".repeat(255)));
        return segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    }

    @Provide
    Arbitrary<List<Op>> oddOps() {
        Arbitrary<Op.Origin> origin = Combinators.combine(Arbitraries.of("n1", "n2", "n:3/x"),
                Arbitraries.longs().between(-1, 40)).as(Op.Origin::new);
        Arbitrary<Long> base = Arbitraries.longs().between(0, 30);
        Arbitrary<Op> put = Combinators.combine(origin, oddPaths(), Arbitraries.integers().between(0, 4), base)
                .as((o, p, c, b) -> putOf(o, p, c, 0644, 0, b));
        Arbitrary<Op> mkdir = Combinators.combine(origin, oddPaths()).as((o, p) -> new Op.Mkdir(o, p, 0755, 0));
        Arbitrary<Op> delete = Combinators.combine(origin, oddPaths(), base, base).as(Op.Delete::new);
        Arbitrary<Op> rename = Combinators.combine(origin, oddPaths(), oddPaths(), base, base).as(Op.Rename::new);
        Arbitrary<Op> meta = Combinators.combine(origin, oddPaths(), base).as((o, p, b) -> new Op.Meta(o, p, 0755, 1, b));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, put), net.jqwik.api.Tuple.of(2, mkdir), net.jqwik.api.Tuple.of(2, delete),
                net.jqwik.api.Tuple.of(3, rename), net.jqwik.api.Tuple.of(1, meta)).list().ofMaxSize(50);
    }

    /** An exception in apply would stop the state machine on every node: whatever the op, apply decides. */
    @Property(tries = 500)
    void applyDecidesEveryOpWithoutThrowing(@ForAll("oddOps") List<Op> ops) {
        Driver d = new Driver();
        for (Op op : ops) {
            Result r = d.apply(op);
            assertThat(r).isNotNull();
            assertThat(r.status()).isNotNull();
            checkInvariants(d, op, r);
        }
    }

    static void checkInvariants(Driver d, Op op, Result r) {
        Index index = d.index;
        List<Map.Entry<String, Entry>> all = index.list("");
        Set<String> folds = new HashSet<>();
        Set<String> liveChunks = new HashSet<>();
        Map<String, List<Index.ChunkHolder>> holders = new HashMap<>();
        Set<Long> versions = new HashSet<>();
        long fileBytes = 0;
        String ctx = op + " -> " + r;
        for (var e : all) {
            String path = e.getKey();
            Entry entry = e.getValue();
            assertThat(PathValidator.isValid(path)).as("valid path %s after %s", path, ctx).isTrue();
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                Entry parent = index.get(path.substring(0, slash));
                assertThat(parent).as("parent of %s after %s", path, ctx).isNotNull();
                assertThat(parent.isDir()).as("parent of %s is a dir after %s", path, ctx).isTrue();
            }
            assertThat(folds.add(PathValidator.caseFold(path))).as("case fold of %s unique after %s", path, ctx).isTrue();
            assertThat(versions.add(entry.version())).as("version of %s unique after %s", path, ctx).isTrue();
            assertThat(entry.version()).isBetween(1L, index.versionClock());
            if (entry.isFile()) {
                fileBytes += entry.size();
                liveChunks.addAll(entry.chunks());
                if (entry.chunks().size() > 1) {
                    for (int i = 0; i < entry.chunks().size(); i++) {
                        List<Index.ChunkHolder> at = holders.computeIfAbsent(entry.chunks().get(i), k -> new ArrayList<>());
                        if (at.stream().noneMatch(h -> h.path().equals(path))) at.add(new Index.ChunkHolder(path, i));
                    }
                }
            } else {
                assertThat(entry.chunks()).isEmpty();
            }
        }
        assertThat(index.fileBytes()).as("fileBytes after %s", ctx).isEqualTo(fileBytes);
        for (String chunk : d.chunksEverPut) {
            assertThat(index.hasChunk(chunk)).as("hasChunk %s after %s", chunk, ctx).isEqualTo(liveChunks.contains(chunk));
            assertThat(index.holdersOf(chunk, Integer.MAX_VALUE)).as("holders of %s after %s", chunk, ctx)
                    .isEqualTo(holders.getOrDefault(chunk, List.of()));
        }
    }
}
