package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;
import io.pickbox.sync.LocalTable.Local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An unmounted or wiped folder is not "the user deleted everything". */
class MassDeleteGuardTest {

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final Index index = new Index();
    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");
    private long logIndex;
    private LocalTable table;
    private MassDeleteGuard guard;

    @BeforeEach
    void setUp() throws Exception {
        table = new LocalTable(state.resolve("local"));
        guard = new MassDeleteGuard(root, index, table, p -> p.startsWith("ignored/"), 0.5, false);
    }

    @AfterEach
    void tearDown() throws Exception {
        table.close();
    }

    /** Commits {@code path} and writes it to the folder as this node would have synced it. */
    private void synced(String path) throws Exception {
        index.apply(n1.put(path, "content of " + path, 0), ++logIndex);
        Entry e = index.get(path);
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "content of " + path, StandardCharsets.UTF_8);
        table.put(path, new Local(e.version(), e.sha256(), FileStat.of(file)));
    }

    private void syncedFiles(int n) throws Exception {
        for (int i = 0; i < n; i++) synced("f/" + i + ".txt");
    }

    private void deleteFromDisk(int n) throws Exception {
        for (int i = 0; i < n; i++) Files.delete(root.resolve("f/" + i + ".txt"));
    }

    @ParameterizedTest(name = "{0} of {1} missing, allowed={2}: mass delete={3}")
    @CsvSource({
            "19, 19, false, false", // too few files for the guard to apply
            "0,  20, false, false",
            "10, 20, false, false", // exactly the share is not more than it
            "11, 20, false, true",
            "20, 20, false, true",
            "20, 20, true,  false", // --allow-mass-delete
    })
    void aMassDeleteIsMoreThanTheShareOfEnoughFiles(int missing, int synced, boolean allowed, boolean expected) {
        MassDeleteGuard g = new MassDeleteGuard(root, index, table, p -> false, 0.5, allowed);
        assertThat(g.isMassDelete(missing, synced)).isEqualTo(expected);
    }

    @Test
    void countsSyncedFilesGoneFromTheFolder() throws Exception {
        syncedFiles(4);
        deleteFromDisk(3);
        assertThat(guard.missingFiles()).containsExactly(3, 4);
    }

    @Test
    void filesChangedOrDeletedElsewhereAreNotMissing() throws Exception {
        syncedFiles(3);
        deleteFromDisk(3);
        // f/0.txt changed elsewhere since: its absence here is not this node's delete.
        long v0 = index.get("f/0.txt").version();
        index.apply(n2.put("f/0.txt", "changed elsewhere", v0), ++logIndex);
        // f/1.txt deleted elsewhere.
        long v1 = index.get("f/1.txt").version();
        index.apply(n2.delete("f/1.txt", v1), ++logIndex);

        assertThat(guard.missingFiles()).containsExactly(1, 3);
    }

    @Test
    void directoriesAndIgnoredPathsAreNotCounted() throws Exception {
        syncedFiles(2);
        synced("ignored/x.txt");
        table.put("d", new Local(1, null, new FileStat(FileStat.Kind.DIR, 0, 0, 1, 0755, 0)));
        deleteFromDisk(2);
        Files.delete(root.resolve("ignored/x.txt"));

        assertThat(guard.missingFiles()).containsExactly(2, 2);
    }

    @Test
    void holdsDeletionsWhileMostFilesAreMissingAndLetsGoWhenTheyAreBack() throws Exception {
        syncedFiles(30);
        guard.update(guard.count());
        assertThat(guard.holding()).isFalse();

        Path moved = Files.move(root.resolve("f"), state.resolve("f-away"));
        guard.update(guard.count());
        assertThat(guard.holding()).isTrue();

        Files.move(moved, root.resolve("f"));
        guard.update(guard.count());
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void aDirectoryRenamedInTheFolderIsNotAMassDelete() throws Exception {
        syncedFiles(30);
        Files.move(root.resolve("f"), root.resolve("g"));

        assertThat(guard.missingFiles()).containsExactly(0, 30);
        guard.update(guard.count());
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void filesPutBackAsCopiesAfterTheFolderWasEmptiedStillCountAsMissing() throws Exception {
        syncedFiles(30);
        Path away = Files.move(root.resolve("f"), state.resolve("f-away"));
        Files.createDirectories(root.resolve("g"));
        try (var files = Files.list(away)) {
            for (Path f : files.toList()) Files.copy(f, root.resolve("g").resolve(f.getFileName()));
        }

        assertThat(guard.missingFiles()).containsExactly(30, 30);
    }

    @Test
    void aRenamedFileThatWasAlsoEditedCountsAsMissing() throws Exception {
        syncedFiles(30);
        Files.move(root.resolve("f/0.txt"), root.resolve("moved.txt"));
        Files.move(root.resolve("f/1.txt"), root.resolve("edited.txt"));
        Files.writeString(root.resolve("edited.txt"), "longer than it was", StandardCharsets.UTF_8);

        assertThat(guard.missingFiles()).containsExactly(1, 30);
    }

    @Test
    void aFewDeletionsAreNotHeld() throws Exception {
        syncedFiles(30);
        deleteFromDisk(15);
        guard.update(guard.count());
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void neverHoldsWhenMassDeletesAreAllowed() throws Exception {
        MassDeleteGuard allowing = new MassDeleteGuard(root, index, table, p -> false, 0.5, true);
        syncedFiles(30);
        deleteFromDisk(30);
        allowing.update(allowing.count());
        assertThat(allowing.holding()).isFalse();
    }
}
