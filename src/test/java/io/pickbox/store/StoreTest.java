package io.pickbox.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.pickbox.store.Keys.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreTest {
    @TempDir
    Path tmp;

    private Store store;
    private Table files;

    @BeforeEach
    void open() throws IOException {
        store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        files = store.table("files");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aBatchIsInvisibleUntilCommittedAndThenWhole() {
        try (Batch b = store.batch()) {
            b.put(files, of("a"), of("1")).put(files, of("b"), of("2")).putLong(store.meta(), "applied", 7);
            assertThat(store.get(files, of("a"))).isNull();
            b.commit();
        }
        assertThat(store.get(files, of("a"))).isEqualTo(of("1"));
        assertThat(store.get(files, of("b"))).isEqualTo(of("2"));
        assertThat(store.getLong(store.meta(), "applied", -1)).isEqualTo(7);
    }

    @Test
    void aClosedBatchIsDropped() {
        try (Batch b = store.batch()) {
            b.put(files, of("a"), of("1"));
        }
        assertThat(store.get(files, of("a"))).isNull();
    }

    @Test
    void readsThroughABatchSeeItsOwnWritesOverTheStore() {
        put("a", "old");
        put("c", "kept");
        try (Batch b = store.batch()) {
            b.put(files, of("a"), of("new")).put(files, of("b"), of("added")).delete(files, of("c"));
            assertThat(b.get(files, of("a"))).isEqualTo(of("new"));
            assertThat(b.get(files, of("c"))).isNull();
            assertThat(keys(b.cursor(files, null, null))).containsExactly("a", "b");
            assertThat(b.size()).isEqualTo(3);
        }
        assertThat(keys(store.snapshot().cursor(files, null))).containsExactly("a", "c");
    }

    @Test
    void aSnapshotDoesNotSeeLaterBatches() {
        put("a", "1");
        try (Snapshot s = store.snapshot()) {
            put("a", "2");
            put("b", "3");
            assertThat(s.get(files, of("a"))).isEqualTo(of("1"));
            assertThat(s.get(files, of("b"))).isNull();
            assertThat(keys(s.cursor(files, null))).containsExactly("a");
        }
        assertThat(store.get(files, of("a"))).isEqualTo(of("2"));
    }

    @Test
    void tablesAreSeparateAndOrderedByUnsignedBytes() {
        Table other = store.table("other");
        put("b", "x");
        put("a", "x");
        put("é", "x"); // 0xC3 0xA9: after every ASCII key
        put("z", "x");
        try (Batch b = store.batch()) {
            b.put(other, of("a"), of("other")).commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(keys(s.cursor(files, null))).containsExactly("a", "b", "z", "é");
            assertThat(keys(s.cursor(other, null))).containsExactly("a");
            assertThat(keys(s.cursor(files, of("b"), of("z")))).containsExactly("b");
        }
    }

    @Test
    void pagesContinueStrictlyAfterTheLastKey() {
        for (int i = 0; i < 25; i++) put(String.format("d/%02d", i), "v");
        put("e", "v");
        List<String> seen = new ArrayList<>();
        byte[] after = null;
        try (Snapshot s = store.snapshot()) {
            while (true) {
                List<Entry> page = s.page(files, after, 10);
                if (page.isEmpty()) break;
                assertThat(page.size()).isLessThanOrEqualTo(10);
                page.forEach(e -> seen.add(Keys.string(e.key())));
                after = page.get(page.size() - 1).key();
            }
            assertThat(seen).hasSize(26).startsWith("d/00", "d/01").endsWith("d/24", "e");
            assertThat(keys(s.prefix(files, of("d/1")))).hasSize(10).allMatch(k -> k.startsWith("d/1"));
            assertThat(s.page(files, of("d/05"), 2)).extracting(e -> Keys.string(e.key())).containsExactly("d/06", "d/07");
        }
    }

    @Test
    void reopeningKeepsEveryTableAndValue() throws IOException {
        put("a", "1");
        store.table("second");
        try (Batch b = store.batch()) {
            b.put(store.table("second"), of("x"), of("y")).putLong(store.meta(), "applied", 3).commit();
        }
        store.close();
        store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        assertThat(store.get(store.table("files"), of("a"))).isEqualTo(of("1"));
        assertThat(store.get(store.table("second"), of("x"))).isEqualTo(of("y"));
        assertThat(store.getLong(store.meta(), "applied", 0)).isEqualTo(3);
    }

    @Test
    void aCheckpointIsACopyThatOpensAsTheStore() throws IOException {
        for (int i = 0; i < 1000; i++) put("k" + i, "v" + i);
        store.checkpoint(tmp.resolve("cp"));
        put("after", "checkpoint");
        assertThat(tmp.resolve("cp.tmp")).doesNotExist();

        try (Store copy = Store.openCheckpoint(tmp.resolve("cp"), tmp.resolve("restored"), StoreOptions.SMALL)) {
            Table t = copy.table("files");
            assertThat(copy.get(t, of("k999"))).isEqualTo(of("v999"));
            assertThat(copy.get(t, of("after"))).isNull();
        }
        assertThat(tmp.resolve("cp")).doesNotExist();
        assertThatThrownBy(() -> store.checkpoint(tmp.resolve("restored"))).isInstanceOf(IOException.class);
    }

    @Test
    void installingACheckpointReplacesTheStoreInPlace() throws IOException {
        put("old", "1");
        try (Store other = Store.open(tmp.resolve("other"), StoreOptions.SMALL)) {
            try (Batch b = other.batch()) {
                b.put(other.table("files"), of("new"), of("2")).commit();
            }
            other.checkpoint(tmp.resolve("cp"));
        }
        Path dir = store.directory();
        store.close();
        store = Store.openCheckpoint(tmp.resolve("cp"), dir, StoreOptions.SMALL);
        files = store.table("files");
        assertThat(store.get(files, of("new"))).isEqualTo(of("2"));
        assertThat(store.get(files, of("old"))).isNull();
        assertThat(tmp.resolve("store.old")).doesNotExist();
    }

    @Test
    void anInstallInterruptedAfterTheOldStoreMovedAsideIsFinishedOnOpen() throws IOException {
        put("old", "1");
        store.checkpoint(tmp.resolve("store.installing"));
        put("newer", "2");
        store.close();
        // a crash between moving the old store aside and moving the new one in
        Files.move(tmp.resolve("store"), tmp.resolve("store.old"));
        store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        files = store.table("files");
        assertThat(store.get(files, of("old"))).isEqualTo(of("1"));
        assertThat(store.get(files, of("newer"))).isNull();
        assertThat(tmp.resolve("store.old")).doesNotExist();
        assertThat(tmp.resolve("store.installing")).doesNotExist();
    }

    @Test
    void anInstallInterruptedBeforeTheOldStoreMovedKeepsTheOldStore() throws IOException {
        put("old", "1");
        store.checkpoint(tmp.resolve("store.installing"));
        put("newer", "2");
        store.close();
        store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        files = store.table("files");
        assertThat(store.get(files, of("newer"))).isEqualTo(of("2"));
        assertThat(tmp.resolve("store.installing")).doesNotExist();
    }

    @Test
    void aCheckpointTakenDuringWritesHoldsWholeBatches() throws Exception {
        Table meta = store.meta();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int batch = 1; !stop.get(); batch++) {
                    try (Batch b = store.batch()) {
                        for (int i = 0; i < 50; i++) b.put(files, of(batch + "/" + i), of("v"));
                        b.putLong(meta, "applied", batch).commit();
                    }
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        writer.start();
        Thread.sleep(200);
        store.checkpoint(tmp.resolve("cp"));
        stop.set(true);
        writer.join();
        assertThat(failed.get()).isNull();
        try (Store copy = Store.openCheckpoint(tmp.resolve("cp"), tmp.resolve("copy"), StoreOptions.SMALL);
             Snapshot s = copy.snapshot()) {
            long applied = s.getLong(copy.meta(), "applied", 0);
            assertThat(applied).isPositive();
            long rows = 0;
            try (Cursor c = s.cursor(copy.table("files"), null)) {
                while (c.next()) rows++;
            }
            assertThat(rows).isEqualTo(applied * 50);
        }
    }

    @Test
    void getAllReadsManyKeysInTheirOrderWithNullsForAbsentOnes() {
        try (Batch b = store.batch()) {
            b.put(files, of("a"), of("1")).put(files, of("c"), of("3")).commit();
        }
        assertThat(store.getAll(files, List.of(of("c"), of("b"), of("a"), of("c"))))
                .containsExactly(of("3"), null, of("1"), of("3"));
        assertThat(store.getAll(files, List.of())).isEmpty();
    }

    @Test
    void clearEmptiesWholeTablesAndDeletesKeysInOneWriteLeavingOtherTablesAlone() throws IOException {
        Table other = store.table("other");
        try (Batch b = store.batch()) {
            for (int i = 0; i < 3000; i++) b.put(files, of(String.format("d/%05d", i)), of("v" + i));
            b.put(files, new byte[] {(byte) 0xFF, (byte) 0xFF}, of("last"))
                    .put(files, new byte[0], of("empty key"))
                    .put(other, of("x"), of("kept"))
                    .putLong(store.meta(), "count", 3002)
                    .putLong(store.meta(), "unrelated", 1);
            b.commit();
        }
        Table empty = store.table("empty");

        store.clear(List.of(files, empty), store.meta(), List.of(of("count")));

        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(files, null)) {
            assertThat(c.next()).isFalse();
        }
        assertThat(store.get(files, new byte[] {(byte) 0xFF, (byte) 0xFF})).isNull();
        assertThat(store.get(files, new byte[0])).isNull();
        assertThat(store.get(other, of("x"))).isEqualTo(of("kept"));
        assertThat(store.getLong(store.meta(), "count", -1)).isEqualTo(-1);
        assertThat(store.getLong(store.meta(), "unrelated", -1)).isEqualTo(1);

        // rows written after the clear are not hidden by it, and the clear outlives a reopen
        try (Batch b = store.batch()) {
            b.put(files, of("d/00007"), of("new")).commit();
        }
        store.close();
        store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        files = store.table("files");
        try (Snapshot s = store.snapshot()) {
            assertThat(s.page(files, null, 10)).extracting(e -> Keys.string(e.key())).containsExactly("d/00007");
        }
    }

    @Test
    void closingTheStoreClosesWhatIsOpenAndRefusesLaterCalls() {
        put("a", "1");
        Snapshot s = store.snapshot();
        Cursor c = s.cursor(files, null);
        Batch b = store.batch();
        store.close();
        assertThatThrownBy(c::next).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> s.get(files, of("a"))).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> b.put(files, of("b"), of("2"))).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.get(files, of("a"))).isInstanceOf(StoreException.class);
        c.close();
        s.close();
        b.close();
    }

    @Test
    void optionsRefuseWriteBuffersLargerThanTheCacheTheyAreChargedTo() {
        assertThatThrownBy(() -> new StoreOptions(1 << 20, 2 << 20, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixEndIsTheFirstKeyAfterThePrefix() {
        assertThat(Keys.prefixEnd(of("ab"))).isEqualTo(of("ac"));
        assertThat(Keys.prefixEnd(new byte[] {1, (byte) 0xFF})).isEqualTo(new byte[] {2});
        assertThat(Keys.prefixEnd(new byte[] {(byte) 0xFF})).isNull();
    }

    private void put(String key, String value) {
        try (Batch b = store.batch()) {
            b.put(files, of(key), of(value)).commit();
        }
    }

    private static List<String> keys(Cursor c) {
        List<String> out = new ArrayList<>();
        try (c) {
            while (c.next()) out.add(Keys.string(c.key()));
        }
        return out;
    }

    @Test
    void buffersHoldingEnoughAreWrittenOutSoThatTheLogLeftToReplayIsSmall() throws IOException {
        try (Batch b = store.batch()) {
            for (int i = 0; i < 500; i++) b.put(files, of("k" + i), new byte[1000]);
            b.commit();
        }
        assertThat(store.flushMemtables(1L << 20)).as("below the threshold").isFalse();
        assertThat(logBytes()).isGreaterThan(400_000);

        assertThat(store.flushMemtables(100_000)).isTrue();

        assertThat(logBytes()).as("the log a restart replays").isLessThan(10_000);
        assertThat(store.flushMemtables(100_000)).as("nothing left to write out").isFalse();
        assertThat(store.get(files, of("k499"))).hasSize(1000);
    }

    private long logBytes() throws IOException {
        try (var files = Files.list(tmp.resolve("store"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
