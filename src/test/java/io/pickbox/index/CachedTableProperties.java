package io.pickbox.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.store.Batch;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * The cache in front of an index table never disagrees with the store: random batches of puts,
 * deletes, reads and prefetches over a few keys, each batch committed or dropped, through a cache
 * small enough to evict and keeping only some values. Inside a batch every read equals the store's
 * own read through the batch; after it, every read equals a read straight from the store.
 */
class CachedTableProperties {
    private static final List<String> KEYS = List.of("a", "b", "c", "d", "e", "f");

    /** kind: 0-3 put, 4-5 delete, 6-7 get, 8 prefetch of every key, 9 end of batch (commit if value even, else drop). */
    record Action(int kind, int key, long value) {}

    private Path dir;
    private Store store;

    @BeforeTry
    void open() throws IOException {
        dir = Files.createTempDirectory("cached-table");
        store = Store.open(dir.resolve("store"), StoreOptions.SMALL);
    }

    @AfterTry
    void close() throws IOException {
        store.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        return Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, KEYS.size() - 1),
                Arbitraries.longs().between(0, 9)).as(Action::new).list().ofMinSize(1).ofMaxSize(80);
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.integers().between(0, 4);
    }

    @Property(tries = 300)
    void readsThroughTheCacheAreReadsOfTheStore(@ForAll("actions") List<Action> actions,
                                                 @ForAll("capacities") int capacity) {
        // only even values are kept across batches: evictions, and rows that change from kept to not kept
        CachedTable<Long> cache = new CachedTable<>(store, store.table("t"), Keys::toLong, Keys::ofLong,
                v -> v % 2 == 0, capacity);
        Batch batch = store.batch();
        try {
            for (Action a : actions) {
                String key = KEYS.get(a.key());
                switch (a.kind()) {
                    case 0, 1, 2, 3 -> cache.put(batch, key, a.value());
                    case 4, 5 -> cache.delete(batch, key);
                    case 6, 7 -> assertThat(cache.get(key)).isEqualTo(decoded(batch.get(cache.table(), Keys.of(key))));
                    case 8 -> cache.prefetch(KEYS);
                    default -> {
                        if (a.value() % 2 == 0) {
                            batch.commit();
                            cache.committed();
                        } else {
                            batch.close();
                            cache.abandoned();
                        }
                        for (String k : KEYS) {
                            assertThat(cache.get(k)).as(k).isEqualTo(decoded(store.get(cache.table(), Keys.of(k))));
                        }
                        batch = store.batch();
                    }
                }
            }
            for (String k : KEYS) assertThat(cache.get(k)).isEqualTo(decoded(batch.get(cache.table(), Keys.of(k))));
        } finally {
            batch.close();
        }
    }

    /** Batches larger than the maps a batch reuses (one op over a whole tree), committed and dropped. */
    @Example
    void largeBatchesLeaveTheCacheEqualToTheStore() {
        CachedTable<Long> cache = new CachedTable<>(store, store.table("t"), Keys::toLong, Keys::ofLong,
                v -> v % 2 == 0, 100);
        List<String> keys = java.util.stream.IntStream.range(0, 3000).mapToObj(i -> "k" + i).toList();
        try (Batch batch = store.batch()) {
            for (int i = 0; i < keys.size(); i++) cache.put(batch, keys.get(i), (long) i);
            batch.commit();
            cache.committed();
        }
        try (Batch batch = store.batch()) {
            for (String k : keys) cache.delete(batch, k);
            cache.prefetch(keys);
            cache.abandoned();
        }
        for (String k : keys) assertThat(cache.get(k)).as(k).isEqualTo(decoded(store.get(cache.table(), Keys.of(k))));
        try (Batch batch = store.batch()) {
            for (String k : keys.subList(0, 2000)) cache.delete(batch, k);
            batch.commit();
            cache.committed();
        }
        for (String k : keys) assertThat(cache.get(k)).as(k).isEqualTo(decoded(store.get(cache.table(), Keys.of(k))));
        assertThat(cache.get("k1999")).isNull();
        assertThat(cache.get("k2000")).isEqualTo(2000L);
    }

    private static Long decoded(byte[] v) {
        return v == null ? null : Keys.toLong(v);
    }
}
