package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.store.Batch;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreException;
import io.pickbox.store.StoreOptions;
import io.pickbox.sync.LocalTable.Local;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local table in the node's store: counts and versions that survive reopening, paging, and the old journal's migration. */
class LocalTableStoreTest {
    @TempDir
    Path dir;

    private static Local file(long version, long inode) {
        return new Local(version, "sha" + version, new FileStat(FileStat.Kind.FILE, 1, 1000, inode, 0644, 5));
    }

    private static Local directory(long version) {
        return new Local(version, null, new FileStat(FileStat.Kind.DIR, 0, 1000, 9, 0755, 5));
    }

    @Test
    void rowsCountAndMaxVersionSurviveReopening() throws IOException {
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("local"))) {
            t.put("a", file(3, 1));
            t.put("b", file(9, 2));
            t.put("a", file(4, 1));
            t.remove("b");
            t.remove("missing");
            assertThat(t.size()).isEqualTo(1);
            assertThat(t.maxVersion()).isEqualTo(9);
        }
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("local"))) {
            assertThat(t.size()).isEqualTo(1);
            assertThat(t.maxVersion()).isEqualTo(9);
            assertThat(t.get("a")).isEqualTo(file(4, 1));
            assertThat(t.get("b")).isNull();
        }
    }

    @Test
    void pagesAndPrefixVisitsWalkPathsInOrder() throws IOException {
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("local"))) {
            for (int i = 0; i < 30; i++) t.put(String.format("d/%02d", i), file(i + 1, i));
            t.put("d2", file(99, 99));
            List<String> all = new ArrayList<>();
            String after = null;
            for (List<String> page = t.page(null, 7); !page.isEmpty(); page = t.page(after, 7)) {
                all.addAll(page);
                after = page.get(page.size() - 1);
            }
            assertThat(all).hasSize(31).isSorted().endsWith("d/29", "d2");
            List<String> under = new ArrayList<>();
            t.forEach("d/", (p, l) -> under.add(p));
            assertThat(under).hasSize(30).doesNotContain("d2");
        }
    }

    @Test
    void aLargeSubtreeMovesInSeveralBatchesAndKeepsTheCount() throws IOException {
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("local"))) {
            t.put("big", directory(1));
            for (int i = 0; i < 10_000; i++) t.put("big/f" + i, file(i + 2, i));
            t.put("big/f5", file(7, 7));
            t.put("new/f5", file(1, 1)); // replaced by the moved row
            t.moveSubtree("big", "new", null);
            assertThat(t.size()).isEqualTo(10_001);
            assertThat(t.get("new/f9999")).isEqualTo(file(10_001, 9999));
            assertThat(t.get("new/f5")).isEqualTo(file(7, 7));
            assertThat(t.get("big/f1")).isNull();
            assertThat(t.get("new")).isEqualTo(directory(1));
        }
    }

    @Test
    void theOldJournalIsMigratedThenDeleted() throws IOException {
        Path journal = dir.resolve("local");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            journalPut(out, "a", file(5, 1));
            journalPut(out, "dir", directory(6));
            journalPut(out, "dir/x", file(12, 2));
            journalPut(out, "a", file(8, 1));
            journalRemove(out, "dir/x");
            journalPut(out, "é/ü", file(3, 3));
        }
        byte[] whole = bytes.toByteArray();
        // a record cut short by a crash at the end of the journal
        byte[] torn = Arrays.copyOf(whole, whole.length + 7);
        torn[whole.length] = 1;
        Files.write(journal, torn);
        Files.write(dir.resolve("local.tmp"), new byte[] {1, 2, 3});

        try (Store store = store(); LocalTable t = new LocalTable(store, journal)) {
            assertThat(t.get("a")).isEqualTo(file(8, 1));
            assertThat(t.get("dir")).isEqualTo(directory(6));
            assertThat(t.get("dir/x")).isNull();
            assertThat(t.get("é/ü")).isEqualTo(file(3, 3));
            assertThat(t.paths()).containsExactly("a", "dir", "é/ü");
            assertThat(t.size()).isEqualTo(3);
            assertThat(t.maxVersion()).isEqualTo(12);
        }
        assertThat(journal).doesNotExist();
        assertThat(dir.resolve("local.tmp")).doesNotExist();
    }

    @Test
    void aJournalLeftAfterAFinishedMigrationIsDeletedNotReplayed() throws IOException {
        Path journal = dir.resolve("local");
        byte[] old = journalOf("a", file(1, 1));
        Files.write(journal, old);
        try (Store store = store(); LocalTable t = new LocalTable(store, journal)) {
            t.put("a", file(2, 1));
        }
        // a crash between marking the migration done and deleting the journal
        Files.write(journal, old);
        try (Store store = store(); LocalTable t = new LocalTable(store, journal)) {
            assertThat(t.get("a")).isEqualTo(file(2, 1));
        }
        assertThat(journal).doesNotExist();
    }

    @Test
    void aMigrationInterruptedMidwayIsReplayedToTheSameRows() throws IOException {
        Path journal = dir.resolve("local");
        byte[] old = journalOf("a", file(1, 1));
        // the store already holds part of an earlier, interrupted replay
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("none"))) {
            t.put("a", file(1, 1));
        }
        Files.write(journal, old);
        try (Store store = store(); LocalTable t = new LocalTable(store, journal)) {
            assertThat(t.paths()).containsExactly("a");
            assertThat(t.size()).isEqualTo(1);
        }
    }

    @Test
    void aRowWithADamagedKindIsRefusedAsCorrupt() throws IOException {
        try (Store store = store(); LocalTable t = new LocalTable(store, dir.resolve("none"))) {
            t.put("a", file(1, 1));
            byte[] row = store.get(store.table(LocalTable.TABLE), Keys.of("a"));
            row[8 + 1 + 2 + "sha1".length()] = 9; // the kind, after the version and the hash
            try (Batch b = store.batch()) {
                b.put(store.table(LocalTable.TABLE), Keys.of("a"), row).commit();
            }
            assertThatThrownBy(() -> t.get("a")).isExactlyInstanceOf(StoreException.class)
                    .hasMessage("corrupt row in the local table").hasRootCauseMessage("corrupt local table row (kind 9)");
        }
    }

    @Test
    void aJournalWithADamagedKindIsRefusedWithAnIOException() throws IOException {
        Path journal = dir.resolve("local");
        byte[] old = journalOf("a", file(1, 1));
        old[1 + 2 + 1 + 8 + 1 + 2 + "sha1".length()] = -3; // type, path, then the row's kind
        Files.write(journal, old);
        try (Store store = store()) {
            assertThatThrownBy(() -> new LocalTable(store, journal)).isExactlyInstanceOf(IOException.class)
                    .hasMessage("corrupt local table row (kind -3)");
        }
    }

    private Store store() throws IOException {
        return Store.open(dir.resolve("store"), StoreOptions.SMALL);
    }

    private static byte[] journalOf(String path, Local l) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            journalPut(out, path, l);
        }
        return bytes.toByteArray();
    }

    /** The journal's record layout before the store: type, path (modified UTF-8), then the row. */
    private static void journalPut(DataOutputStream out, String path, Local l) throws IOException {
        out.writeByte(1);
        out.writeUTF(path);
        out.writeLong(l.version());
        out.writeBoolean(l.sha256() != null);
        if (l.sha256() != null) out.writeUTF(l.sha256());
        FileStat s = l.stat();
        out.writeByte(s.kind().ordinal());
        out.writeLong(s.size());
        out.writeLong(s.mtimeMillis());
        out.writeLong(s.inode());
        out.writeInt(s.mode());
        out.writeLong(s.ctimeNanos());
    }

    private static void journalRemove(DataOutputStream out, String path) throws IOException {
        out.writeByte(2);
        out.writeUTF(path);
    }
}
