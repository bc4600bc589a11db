package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Index.ChunkHolder;
import io.pickbox.index.Result.Status;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which paths hold the chunks of large files, kept in step with every change that moves them. */
class ChunkHoldersTest {

    private static final String A = sha("a"), B = sha("b"), C = sha("c"), D = sha("d");

    private final Index index = new Index();
    private final TestOps n1 = new TestOps("n1");
    private long logIndex;

    @AfterEach
    void closeIndex() {
        index.close();
    }

    private long commit(Op op) {
        Result r = index.apply(op, ++logIndex);
        assertThat(r.status()).as("%s -> %s", op, r).isEqualTo(Status.APPLIED);
        return r.version();
    }

    private Op.Put large(String path, List<String> chunks, long base) {
        return n1.chunkedPut(path, (long) chunks.size() * Hashing.CHUNK_SIZE, sha(String.join("", chunks)), chunks, base);
    }

    private List<ChunkHolder> holders(String chunk) {
        return index.holdersOf(chunk, 10);
    }

    @Test
    void aCopyRenamesDeletesAndEditsMoveTheChunksHolders() {
        long big = commit(large("big.iso", List.of(A, B, C), 0));
        commit(large("copy.iso", List.of(A, B, C), 0));
        assertThat(holders(B)).containsExactly(new ChunkHolder("big.iso", 1), new ChunkHolder("copy.iso", 1));

        commit(n1.rename("big.iso", "disk/big.iso", big, 0));
        assertThat(holders(A)).containsExactly(new ChunkHolder("copy.iso", 0), new ChunkHolder("disk/big.iso", 0));

        commit(n1.rename("disk", "images", 0, 0)); // a directory's rename moves what is in it
        assertThat(holders(C)).containsExactly(new ChunkHolder("copy.iso", 2), new ChunkHolder("images/big.iso", 2));

        commit(n1.delete("copy.iso", index.get("copy.iso").version()));
        assertThat(holders(C)).containsExactly(new ChunkHolder("images/big.iso", 2));

        commit(large("images/big.iso", List.of(A, D, D), index.get("images/big.iso").version())); // an edit
        assertThat(holders(A)).containsExactly(new ChunkHolder("images/big.iso", 0));
        assertThat(holders(B)).isEmpty();
        assertThat(holders(C)).isEmpty();
        assertThat(holders(D)).as("a chunk twice in a file: its first place").containsExactly(new ChunkHolder("images/big.iso", 1));
    }

    @Test
    void smallFilesAreNotRecorded() {
        commit(n1.put("small.txt", "a", 0));
        assertThat(holders(sha("a"))).isEmpty();
    }

    @Test
    void aDeletedDirectoryTakesItsFilesHoldersAlong() {
        commit(n1.mkdir("dir"));
        commit(large("dir/x.bin", List.of(A, B), 0));
        commit(n1.deleteDir("dir", Long.MAX_VALUE));
        assertThat(index.get("dir/x.bin")).isNull();
        assertThat(holders(A)).isEmpty();
    }

    @Test
    void aRestoredStateHasTheSameHolders() {
        commit(large("x.bin", List.of(A, B), 0));
        commit(large("y.bin", List.of(B, C), 0));
        try (Index copy = new Index()) {
            copy.restore(index.state());
            for (String chunk : List.of(A, B, C)) assertThat(copy.holdersOf(chunk, 10)).isEqualTo(holders(chunk));
        }
    }

    @Test
    void aStoreWrittenBeforeHoldersWereRecordedGetsThemAtOpen(@TempDir Path dir) throws Exception {
        List<List<ChunkHolder>> before;
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index old = new Index(store);
            old.apply(large("x.bin", List.of(A, B), 0), 1);
            old.apply(large("sub/y.bin", List.of(B, C), 0), 2);
            before = List.of(old.holdersOf(A, 10), old.holdersOf(B, 10), old.holdersOf(C, 10));
            // as such a store is: no holders, no mark that they were recorded
            IndexTables t = new IndexTables(store);
            store.clear(List.of(t.holders), t.meta, List.of(Keys.of(IndexTables.HOLDERS_BUILT)));
            assertThat(old.holdersOf(B, 10)).isEmpty();
        }
        try (Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL)) {
            Index reopened = new Index(store);
            assertThat(List.of(reopened.holdersOf(A, 10), reopened.holdersOf(B, 10), reopened.holdersOf(C, 10))).isEqualTo(before);
            assertThat(before.get(1)).containsExactly(new ChunkHolder("sub/y.bin", 0), new ChunkHolder("x.bin", 1));
        }
    }
}
