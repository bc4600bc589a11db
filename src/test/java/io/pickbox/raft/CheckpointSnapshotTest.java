package io.pickbox.raft;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.index.Index;
import io.pickbox.index.IndexState;
import io.pickbox.index.TestOps;
import io.pickbox.index.TrustChange;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class CheckpointSnapshotTest {

    @TempDir
    Path dir;

    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");

    private void populate(Index index) {
        long log = 10;
        long v = index.apply(n1.put("docs/a.txt", "one", 0), ++log).version();
        index.apply(n2.put("docs/a.txt", "two", v), ++log);
        index.apply(n2.put("docs/a.txt", "three", v), ++log);
        index.apply(n2.chunkedPut("big.bin", 3L << 20, sha("big"), List.of(sha("1"), sha("2")), 0), ++log);
        index.apply(n1.hello("127.0.0.1:9001"), ++log);
        index.apply(n1.trust(1_000, new TrustChange.Invite(sha("secret"), 10_000, false)), ++log);
    }

    /** A snapshot file as the previous version wrote it: IndexState in snapshot.TERM_INDEX, and its MD5. */
    private static Path writeOldSnapshot(Path smDir, IndexState state, long term, long index) throws IOException {
        Files.createDirectories(smDir);
        Path file = smDir.resolve("snapshot." + term + "_" + index);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            state.writeTo(out);
        }
        MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        return file;
    }

    @Test
    void anOldSnapshotIsLoadedIntoAnEmptyStoreAsOfItsEntry() throws IOException {
        IndexState state;
        try (Index original = new Index()) {
            populate(original);
            state = original.state();
        }
        Path sm = dir.resolve("sm");
        Path file = writeOldSnapshot(sm, state, 3, 42);
        writeOldSnapshot(sm, new Index().state(), 2, 20); // an older one, ignored

        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            assertThat(Index.present(store)).isFalse();
            LegacySnapshot.migrate(sm, index);
            assertThat(index.state()).isEqualTo(state);
            assertThat(index.appliedIndex()).isEqualTo(42);
            assertThat(index.appliedTerm()).isEqualTo(3);
            assertThat(index.conflictCount()).isEqualTo(1);
            assertThat(index.hasChunk(sha("1"))).isTrue();
            assertThat(Index.present(store)).isTrue();

            LegacySnapshot.deleteAll(sm);
            assertThat(file).doesNotExist();
            assertThat(sm.resolve("snapshot.3_42.md5")).doesNotExist();
        }
        // reopened: the store holds it, nothing to load
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            assertThat(index.state()).isEqualTo(state);
            assertThat(index.appliedIndex()).isEqualTo(42);
        }
    }

    @Test
    void anOldSnapshotAlteredSinceItsMd5IsMovedAsideAndNotLoaded() throws IOException {
        Path sm = dir.resolve("sm");
        Path file;
        try (Index original = new Index()) {
            populate(original);
            file = writeOldSnapshot(sm, original.state(), 3, 42);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        try (Index index = new Index()) {
            LegacySnapshot.migrate(sm, index);
            assertThat(index.size()).isZero();
            assertThat(index.appliedIndex()).isLessThan(42);
        }
        assertThat(file).doesNotExist();
        try (var s = Files.list(sm)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("snapshot.3_42.corrupt-"));
        }
        assertThat(io.pickbox.store.StateRepairs.under(sm)).hasEntrySatisfying("snapshot.3_42",
                what -> assertThat(what).contains("MD5").contains("moved aside"));
    }

    @Test
    void checkpointsAreListedWithTheirFilesAndOnlyTheNewestAreKept() throws IOException {
        Path sm = dir.resolve("raft/sm");
        CheckpointStorage storage = storageIn(sm);
        assertThat(storage.getLatestSnapshot()).isNull();
        IndexState state;
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            populate(index);
            state = index.state();
            for (long i = 1; i <= 4; i++) storage.take(store, TermIndex.valueOf(1, 100 * i));
        }
        assertThat(storage.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(1, 400));
        assertThat(storage.getLatestSnapshot().getFiles()).isNotEmpty()
                .allMatch(f -> f.getPath().isAbsolute() && f.getPath().startsWith(sm.resolve("checkpoint.1_400")));
        try (var s = Files.list(sm)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("checkpoint.1_300", "checkpoint.1_400");
        }

        CheckpointStorage again = storageIn(sm);
        assertThat(again.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(1, 400));

        // a checkpoint opened as a store holds the index as it was
        Path copy = dir.resolve("copy");
        copyTree(sm.resolve("checkpoint.1_400"), copy);
        try (Store store = Store.open(copy, StoreOptions.SMALL)) {
            assertThat(new Index(store).state()).isEqualTo(state);
        }
    }

    @Test
    void checkpointsHoldTheIndexButNotTheNodesOwnTables() throws IOException {
        Path sm = dir.resolve("raft/sm");
        CheckpointStorage storage = storageIn(sm);
        IndexState state;
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            populate(index);
            state = index.state();
            writeOwnTable(store);
            storage.take(store, TermIndex.valueOf(1, 100));
        }
        Path cp = sm.resolve("checkpoint.1_100");
        assertThat(Store.tablesIn(cp)).isNotEmpty().allMatch(t -> t.startsWith(Index.NAMESPACE) || t.equals(Store.META));
        try (Store copy = Store.open(copyOf(cp), StoreOptions.SMALL)) {
            assertThat(new Index(copy).state()).isEqualTo(state);
            assertThat(copy.get(copy.meta(), io.pickbox.store.Keys.of("local.count"))).isNull();
        }
    }

    @Test
    void checkpointsOfTheWholeStoreAreDroppedAndTheStoreCheckpointedAgain() throws IOException {
        Path sm = dir.resolve("raft/sm");
        Files.createDirectories(sm);
        IndexState state;
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            populate(index);
            state = index.state();
            writeOwnTable(store);
            // as an earlier version left them: the whole store, at and before the applied entry
            store.checkpoint(sm.resolve("checkpoint.1_90"));
            store.checkpoint(sm.resolve("checkpoint.1_" + index.appliedIndex()));
            Files.createDirectories(sm.resolve("checkpoint.1_80.tmp"));
            Files.createDirectories(sm.resolve("checkpoint.1_70.removing"));

            CheckpointStorage storage = storageIn(sm);
            assertThat(sm.resolve("checkpoint.1_80.tmp")).doesNotExist();
            assertThat(sm.resolve("checkpoint.1_70.removing")).doesNotExist();
            assertThat(storage.removeWide()).isEqualTo(2);
            assertThat(storage.getLatestSnapshot()).isNull();
            assertThat(storage.removeWide()).isZero();
            storage.take(store, TermIndex.valueOf(1, index.appliedIndex()));
            assertThat(storage.removeWide()).as("a checkpoint of the index only stays").isZero();
            assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(index.appliedIndex());
        }
        try (var s = Files.list(sm)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("checkpoint.1_16");
        }
        try (Store copy = Store.open(copyOf(sm.resolve("checkpoint.1_16")), StoreOptions.SMALL)) {
            assertThat(Store.tablesIn(copy.directory())).doesNotContain("local");
            assertThat(new Index(copy).state()).isEqualTo(state);
        }
    }

    /** A table of this node's own beside the index, as the local table keeps it, with a meta key. */
    private static void writeOwnTable(Store store) {
        var own = store.table("local");
        try (var b = store.batch()) {
            for (int i = 0; i < 1000; i++) b.put(own, io.pickbox.store.Keys.of("docs/f" + i), io.pickbox.store.Keys.of("stat " + i));
            b.putLong(store.meta(), "local.count", 1000);
            b.commit();
        }
    }

    private Path copyOf(Path checkpoint) throws IOException {
        Path copy = dir.resolve("copy-" + checkpoint.getFileName());
        copyTree(checkpoint, copy);
        return copy;
    }

    @Test
    void aReceivedFileThatNoLongerMatchesItsMd5FailsVerification() throws IOException {
        Path sm = dir.resolve("raft/sm");
        CheckpointStorage storage = storageIn(sm);
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            populate(new Index(store));
            storage.take(store, TermIndex.valueOf(1, 100));
        }
        Path cp = sm.resolve("checkpoint.1_100");
        // as Ratis leaves what it received: an .md5 beside each file
        for (var f : storage.getLatestSnapshot().getFiles()) MD5FileUtil.computeAndSaveMd5ForFile(f.getPath().toFile());
        CheckpointStorage.verify(cp);
        Path manifest;
        try (var s = Files.list(cp)) {
            manifest = s.filter(p -> p.getFileName().toString().startsWith("MANIFEST") && !p.toString().endsWith(".md5")).findFirst().orElseThrow();
        }
        Files.write(manifest, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> CheckpointStorage.verify(cp)).isInstanceOf(IOException.class);
    }

    private static CheckpointStorage storageIn(Path sm) throws IOException {
        CheckpointStorage storage = new CheckpointStorage(Index.NAMESPACE);
        RaftStorageDirectory directory = new RaftStorageDirectory() {
            @Override
            public File getRoot() {
                return sm.getParent().toFile();
            }

            @Override
            public File getStateMachineDir() {
                return sm.toFile();
            }

            @Override
            public boolean isHealthy() {
                return true;
            }
        };
        RaftStorage raftStorage = (RaftStorage) java.lang.reflect.Proxy.newProxyInstance(RaftStorage.class.getClassLoader(),
                new Class<?>[] {RaftStorage.class}, (proxy, m, args) -> m.getName().equals("getStorageDir") ? directory : null);
        storage.init(raftStorage);
        return storage;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
