package io.pickbox.store;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of batches, reopenings and checkpoint restores against a model of sorted maps:
 * what the store returns (values, ordered cursors, pages, snapshots) is what the model holds.
 */
class StoreProperties {
    private static final String[] TABLES = {"index", "local"};

    sealed interface Action permits Put, Delete, Commit, Abort, Reopen, Restore, Check {}

    record Put(int table, byte[] key, byte[] value) implements Action {}

    record Delete(int table, byte[] key) implements Action {}

    record Commit() implements Action {}

    record Abort() implements Action {}

    record Reopen() implements Action {}

    record Restore() implements Action {}

    /** Compares a page after {@code after} (null: from the start) and a snapshot taken before the pending batch. */
    record Check(int table, byte[] after, int limit) implements Action {}

    private Path root;

    @BeforeTry
    void makeRoot() throws IOException {
        root = Files.createTempDirectory("store-props");
    }

    @AfterTry
    void removeRoot() throws IOException {
        Durable.deleteTree(root);
    }

    @Property(tries = 60)
    void theStoreBehavesAsSortedMaps(@ForAll("actions") List<Action> actions) throws IOException {
        List<NavigableMap<byte[], byte[]>> model = new ArrayList<>();
        for (String ignored : TABLES) model.add(new TreeMap<>(Arrays::compareUnsigned));
        List<Action> pending = new ArrayList<>();
        Path dir = root.resolve("store");
        int checkpoints = 0;
        Store store = Store.open(dir, StoreOptions.SMALL);
        try {
            Batch batch = store.batch();
            for (Action a : actions) {
                if (a instanceof Put p) {
                    batch.put(store.table(TABLES[p.table()]), p.key(), p.value());
                    pending.add(a);
                } else if (a instanceof Delete d) {
                    batch.delete(store.table(TABLES[d.table()]), d.key());
                    pending.add(a);
                } else if (a instanceof Commit) {
                    batch.commit();
                    applyTo(model, pending);
                    batch = store.batch();
                } else if (a instanceof Abort) {
                    batch.close();
                    pending.clear();
                    batch = store.batch();
                } else if (a instanceof Reopen) {
                    batch.close();
                    pending.clear();
                    store.close();
                    store = Store.open(dir, StoreOptions.SMALL);
                    batch = store.batch();
                } else if (a instanceof Restore) {
                    batch.close();
                    pending.clear();
                    Path cp = root.resolve("cp" + checkpoints++);
                    store.checkpoint(cp);
                    store.close();
                    store = Store.openCheckpoint(cp, dir, StoreOptions.SMALL);
                    batch = store.batch();
                } else if (a instanceof Check c) {
                    check(store, batch, model, pending, c);
                }
            }
            batch.close();
            for (int t = 0; t < TABLES.length; t++) assertSame(store, t, model.get(t));
        } finally {
            store.close();
        }
    }

    private static void check(Store store, Batch batch, List<NavigableMap<byte[], byte[]>> model, List<Action> pending, Check c) {
        Table table = store.table(TABLES[c.table()]);
        NavigableMap<byte[], byte[]> committed = model.get(c.table());
        try (Snapshot s = store.snapshot()) {
            NavigableMap<byte[], byte[]> tail = c.after() == null ? committed : committed.tailMap(c.after(), false);
            List<Entry> expected = tail.entrySet().stream().limit(c.limit())
                    .map(e -> new Entry(e.getKey(), e.getValue())).toList();
            assertThat(s.page(table, c.after(), c.limit())).containsExactlyElementsOf(expected);
            for (byte[] k : committed.keySet()) assertThat(s.get(table, k)).isEqualTo(committed.get(k));
        }
        // reads through the pending batch see the model with the batch applied
        List<NavigableMap<byte[], byte[]>> withBatch = new ArrayList<>();
        for (NavigableMap<byte[], byte[]> m : model) withBatch.add(new TreeMap<>(m));
        applyTo(withBatch, new ArrayList<>(pending));
        List<Entry> through = new ArrayList<>();
        try (Cursor cur = batch.cursor(table, null, null)) {
            while (cur.next()) through.add(new Entry(cur.key(), cur.value()));
        }
        assertThat(through).containsExactlyElementsOf(withBatch.get(c.table()).entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue())).toList());
    }

    private static void assertSame(Store store, int t, NavigableMap<byte[], byte[]> expected) {
        List<Entry> actual = new ArrayList<>();
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(store.table(TABLES[t]), null)) {
            while (c.next()) actual.add(new Entry(c.key(), c.value()));
        }
        assertThat(actual).containsExactlyElementsOf(expected.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue())).toList());
    }

    private static void applyTo(List<NavigableMap<byte[], byte[]>> model, List<Action> pending) {
        for (Action a : pending) {
            if (a instanceof Put p) model.get(p.table()).put(p.key(), p.value());
            else if (a instanceof Delete d) model.get(d.table()).remove(d.key());
        }
        pending.clear();
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> table = Arbitraries.integers().between(0, TABLES.length - 1);
        Arbitrary<byte[]> key = Arbitraries.of((byte) 0, (byte) 1, (byte) 'a', (byte) 'b', (byte) 0x7F, (byte) 0x80, (byte) 0xFF)
                .array(byte[].class).ofMinSize(1).ofMaxSize(3);
        Arbitrary<byte[]> value = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(40);
        Arbitrary<Action> put = Combinators.combine(table, key, value).as(Put::new);
        Arbitrary<Action> delete = Combinators.combine(table, key).as(Delete::new);
        Arbitrary<Action> check = Combinators.combine(table, key.injectNull(0.3), Arbitraries.integers().between(1, 20)).as(Check::new);
        return Arbitraries.frequencyOf(
                Tuple.of(30, put), Tuple.of(10, delete), Tuple.of(8, Arbitraries.just(new Commit())),
                Tuple.of(2, Arbitraries.just(new Abort())), Tuple.of(2, Arbitraries.just(new Reopen())),
                Tuple.of(1, Arbitraries.just(new Restore())), Tuple.of(5, check))
                .list().ofMaxSize(120);
    }
}
