package io.pickbox.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.folder.PathValidator;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Apply through its caches is apply straight from the store. Ops from random steps are applied in
 * entries of several ops; some entries fail part-way (an op that throws after others wrote), and
 * now and then the whole index is replaced (a restore, or a checkpoint install) by an earlier
 * state. One index keeps its caches all along; the other is opened anew on its store for every
 * entry, so it starts each one with empty caches. Both must give the same results and states, and
 * after every entry each cached row must be the row in the store.
 */
class IndexCacheProperties {

    /** An op that throws inside apply, after the ops before it in its entry have written. */
    private static final Op FAILING = new Op.Put(null, "z", 1, "f", List.of("k-fail"), 0644, 1, 0, true);

    private Path root;
    private final List<Store> stores = new ArrayList<>();

    @BeforeTry
    void makeRoot() throws IOException {
        root = Files.createTempDirectory("index-cache");
    }

    @AfterTry
    void cleanUp() throws IOException {
        stores.forEach(Store::close);
        stores.clear();
        TempIndexes.closeAll();
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<IndexProperties.Step>> steps() {
        return new IndexProperties().steps();
    }

    /** Per entry: how many ops, whether it fails (and where), whether the index is replaced before it. */
    @Provide
    Arbitrary<List<Integer>> plan() {
        return Arbitraries.integers().between(0, 99).list().ofMinSize(60).ofMaxSize(60);
    }

    @Property(tries = 50)
    void cachedApplyEqualsApplyFromTheStore(@ForAll("steps") List<IndexProperties.Step> steps,
                                             @ForAll("plan") List<Integer> plan) throws IOException {
        List<Op> ops = IndexProperties.run(steps).ops();
        Store warmStore = open("warm");
        Store coldStore = open("cold");
        Index warm = new Index(warmStore);
        List<IndexState> earlier = new ArrayList<>();
        Set<String> chunks = new TreeSet<>(List.of("k-fail"));
        ops.forEach(op -> {
            if (op instanceof Op.Put p) chunks.addAll(p.chunks());
        });

        long log = 10;
        int next = 0;
        for (int e = 0; next < ops.size(); e++) {
            int choice = plan.get(e % plan.size());
            int size = 1 + choice % 8;
            List<Op> entry = new ArrayList<>(ops.subList(next, Math.min(ops.size(), next + size)));
            log++;
            Index cold = new Index(coldStore);

            if (choice >= 90 && !earlier.isEmpty()) {
                IndexState back = earlier.get(choice % earlier.size());
                if (choice % 2 == 0) {
                    warm.restore(back, 1, log);
                    cold.restore(back, 1, log);
                } else {
                    installCopy(warm, back, "w" + e);
                    installCopy(cold, back, "c" + e);
                }
                assertSameState(warm, cold);
                cold = new Index(coldStore);
            }
            if (choice % 5 == 0) {
                List<Op> failing = new ArrayList<>(entry);
                failing.add(choice % failing.size(), FAILING);
                long at = log;
                Index c = cold;
                assertThatThrownBy(() -> warm.applyEntry(failing, 1, at)).isInstanceOf(NullPointerException.class);
                assertThatThrownBy(() -> c.applyEntry(failing, 1, at)).isInstanceOf(NullPointerException.class);
                assertCacheIsTheStore(warm, ops, chunks);
                cold = new Index(coldStore);
            }

            List<Result> warmResults = warm.applyEntry(entry, 1, log);
            List<Result> coldResults = cold.applyEntry(entry, 1, log);
            assertThat(warmResults).isEqualTo(coldResults);
            assertCacheIsTheStore(warm, ops, chunks);
            if (choice % 7 == 0) earlier.add(warm.state());
            next += entry.size();
        }
        assertSameState(warm, new Index(coldStore));
    }

    @Provide
    Arbitrary<List<Op>> oddOps() {
        return new IndexProperties().oddOps();
    }

    /** Odd paths and origins, several ops to an entry (so read ahead together): decided, not thrown, as one by one. */
    @Property(tries = 100)
    void oddOpsInEntriesAreDecidedAsOneByOne(@ForAll("oddOps") List<Op> ops, @ForAll("plan") List<Integer> plan) throws IOException {
        Index grouped = new Index(open("grouped"));
        Index single = new Index(open("single"));
        long log = 10;
        int next = 0;
        for (int e = 0; next < ops.size(); e++) {
            List<Op> entry = ops.subList(next, Math.min(ops.size(), next + 1 + plan.get(e % plan.size()) % 8));
            List<Result> results = grouped.applyEntry(entry, 1, ++log);
            List<Result> expected = new ArrayList<>();
            for (Op op : entry) expected.addAll(new Index(single.store()).applyEntry(List.of(op), 1, log));
            assertThat(results).isEqualTo(expected);
            next += entry.size();
        }
        assertSameState(grouped, new Index(single.store()));
    }

    @Example
    void anOpWithoutAPathInAnEntryIsRejectedNotThrown() throws IOException {
        Index index = new Index(open("nulls"));
        TestOps n1 = new TestOps("n1");
        List<Op> entry = List.of(n1.put("a/b", "x", 0), new Op.Put(n1.next(), null, 1, "s", List.of("k"), 0644, 1, 0, true),
                new Op.Mkdir(n1.next(), null, 0755, 1), n1.put("a/c", "y", 0));
        List<Result> results = index.applyEntry(entry, 1, 11);
        assertThat(results).extracting(Result::status)
                .containsExactly(Result.Status.APPLIED, Result.Status.REJECTED, Result.Status.REJECTED, Result.Status.APPLIED);
    }

    private Store open(String name) throws IOException {
        Store s = Store.open(root.resolve(name), StoreOptions.SMALL);
        stores.add(s);
        return s;
    }

    /** Replaces {@code index} with {@code state} the way a checkpoint from another node is installed. */
    private void installCopy(Index index, IndexState state, String name) throws IOException {
        try (Store source = Store.open(root.resolve("source-" + name), StoreOptions.SMALL)) {
            Index other = new Index(source);
            other.restore(state, 1, index.appliedIndex());
            index.replaceWith(source);
        }
    }

    private static void assertSameState(Index a, Index b) {
        assertThat(a.state()).isEqualTo(b.state());
        assertThat(a.versionClock()).isEqualTo(b.versionClock());
        assertThat(a.size()).isEqualTo(b.size());
        assertThat(a.fileBytes()).isEqualTo(b.fileBytes());
        assertThat(a.conflictCount()).isEqualTo(b.conflictCount());
        assertThat(a.appliedIndex()).isEqualTo(b.appliedIndex());
    }

    /** Every row the ops could have touched, read through the index's caches, is the row in its store. */
    private static void assertCacheIsTheStore(Index index, List<Op> ops, Set<String> chunks) {
        Store store = index.store();
        IndexTables t = new IndexTables(store);
        Set<String> paths = new TreeSet<>(IndexProperties.PATHS);
        for (var e : index.list("")) paths.add(e.getKey());
        for (String p : new ArrayList<>(paths)) {
            for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) paths.add(p.substring(0, i));
        }
        for (String p : paths) {
            byte[] entry = store.get(t.entries, Keys.of(p));
            assertThat(index.cachedEntry(p)).as(p).isEqualTo(entry == null ? null : IndexTables.decode(entry));
            String folded = PathValidator.caseFold(p);
            byte[] owner = store.get(t.fold, Keys.of(folded));
            assertThat(index.cachedFoldOwner(folded)).as(folded).isEqualTo(owner == null ? null : Keys.string(owner));
        }
        for (String c : chunks) {
            byte[] n = store.get(t.chunks, Keys.of(c));
            assertThat(index.cachedChunkRefs(c)).as(c).isEqualTo(n == null ? null : Keys.toLong(n));
        }
        for (String node : IndexProperties.NODES) {
            assertThat(index.lastSeqApplied(node)).isEqualTo(index.lastSeq(node));
        }
    }
}
