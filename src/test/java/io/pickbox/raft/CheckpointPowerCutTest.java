package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Index;
import io.pickbox.index.IndexState;
import io.pickbox.index.TestOps;
import io.pickbox.os.Durability;
import io.pickbox.os.PowerCut;
import io.pickbox.store.StateRepairs;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checkpoints (the Ratis snapshots) through power cuts, and damaged ones moved aside. */
class CheckpointPowerCutTest {

    @TempDir
    Path dir;

    private final TestOps n1 = new TestOps("n1");

    @AfterEach
    void realDurability() {
        Durability.use(Durability.REAL);
    }

    private static boolean isStore(Path p) {
        return p.getFileName().toString().equals("store");
    }

    /**
     * At every sync point of taking a checkpoint, the power goes: at start-up the newest checkpoint
     * is the one before (whole) or the new one (whole), never a torn one; once take returned (when
     * Ratis may drop the log behind it) it is the new one.
     */
    @Test
    void aPowerCutAtAnyPointOfACheckpointLeavesTheOldOrTheNewWhole() throws IOException {
        for (int n = 1; ; n++) {
            Path run = Files.createDirectories(dir.resolve("run" + n));
            Path sm = run.resolve("raft/sm");
            IndexState first, second;
            try (Store store = Store.open(run.resolve("store"), StoreOptions.SMALL)) {
                Index index = new Index(store);
                index.apply(n1.put("a.txt", "one", 0), 11);
                first = index.state();
                storageIn(sm).take(store, TermIndex.valueOf(1, 11));
                index.apply(n1.put("b.txt", "two", 0), 12);
                second = index.state();
            }
            PowerCut cut = PowerCut.over(run, CheckpointPowerCutTest::isStore).cutAt(n);
            boolean returned = false;
            try (Store store = Store.open(run.resolve("store"), StoreOptions.SMALL)) {
                new Index(store);
                storageIn(sm).take(store, TermIndex.valueOf(1, 12));
                returned = true;
            } catch (PowerCut.Cut expected) {
                // off
            }
            boolean wasCut = cut.cut();
            cut.restore();

            CheckpointStorage storage = storageIn(sm);
            long latest = storage.getLatestSnapshot().getIndex();
            if (returned) assertThat(latest).as("cut at point %d after take returned", n).isEqualTo(12);
            assertThat(latest).isIn(11L, 12L);
            Path copy = run.resolve("opened");
            copyTree(storage.latestDirectory(), copy);
            try (Store store = Store.open(copy, StoreOptions.SMALL)) {
                assertThat(new Index(store).state()).as("cut at point %d", n).isEqualTo(latest == 11 ? first : second);
            }
            if (!wasCut) {
                assertThat(n).isGreaterThan(3);
                break;
            }
        }
    }

    /** Ratis writes what it received from the leader without an fsync, then drops the log behind it. */
    @Test
    void aCheckpointReceivedFromTheLeaderIsMadeDurable() throws IOException {
        Path sm = dir.resolve("raft/sm");
        Path source = dir.resolve("leader");
        IndexState state;
        try (Store store = Store.open(dir.resolve("leader-store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            index.apply(n1.put("a.txt", "one", 0), 30);
            state = index.state();
            store.checkpoint(source, Index.NAMESPACE);
        }
        Files.createDirectories(sm);
        PowerCut cut = PowerCut.over(dir, p -> false);
        Path received = sm.resolve("checkpoint.2_30");
        copyTree(source, received); // as Ratis does: written, renamed into place, nothing synced
        CheckpointStorage storage = storageIn(sm);
        storage.syncLatest();
        cut.restore();

        Path copy = dir.resolve("opened");
        copyTree(received, copy);
        try (Store store = Store.open(copy, StoreOptions.SMALL)) {
            assertThat(new Index(store).state()).isEqualTo(state);
        }
    }

    @Test
    void aDamagedCheckpointIsMovedAsideReportedAndTheOneBeforeItIsTheNewest() throws IOException {
        Path sm = dir.resolve("raft/sm");
        CheckpointStorage storage = storageIn(sm);
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index index = new Index(store);
            index.apply(n1.put("a.txt", "one", 0), 11);
            storage.take(store, TermIndex.valueOf(1, 11));
            index.apply(n1.put("b.txt", "two", 0), 12);
            storage.take(store, TermIndex.valueOf(1, 12));
        }
        storage.moveAside(storage.latestDirectory(), "its MANIFEST does not match its MD5");

        assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(11);
        assertThat(storageIn(sm).getLatestSnapshot().getIndex()).as("after a restart too").isEqualTo(11);
        try (var s = Files.list(sm)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("checkpoint.1_12.corrupt-"));
        }
        assertThat(StateRepairs.under(dir)).containsKey("raft/sm/checkpoint.1_12");
    }

    static CheckpointStorage storageIn(Path sm) throws IOException {
        CheckpointStorage storage = new CheckpointStorage(Index.NAMESPACE);
        Files.createDirectories(sm);
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
