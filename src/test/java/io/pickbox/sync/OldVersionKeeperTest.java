package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.os.FolderDir;
import io.pickbox.sync.LocalTable.Local;
import io.pickbox.transfer.BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The chunks of a version the history keeps are copied from the folder's file before it is deleted or replaced. */
class OldVersionKeeperTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path root;
    @TempDir
    Path state;
    private BlobStore blobs;

    /** The history the keeper sees: on or off, the versions it holds, the chunks current files use. */
    private final FakeHistory history = new FakeHistory();

    private static final class FakeHistory implements OldVersionKeeper.History {
        boolean enabled = true;
        List<String> chunks;
        final Set<String> current = new HashSet<>();
        final AtomicInteger lookups = new AtomicInteger();

        @Override
        public boolean enabled() {
            return enabled;
        }

        @Override
        public List<String> oldChunks(String path, long version, String sha256) {
            lookups.incrementAndGet();
            return chunks;
        }

        @Override
        public boolean current(String chunk) {
            return current.contains(chunk);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        blobs = new BlobStore(state.resolve("blobs"));
    }

    @AfterEach
    void tearDown() {
        blobs.close();
    }

    private OldVersionKeeper keeper() {
        return new OldVersionKeeper(root, history, blobs);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<String> chunksOf(byte[] content) {
        List<String> out = new ArrayList<>();
        for (int off = 0; off < content.length; off += CHUNK) {
            out.add(Hashing.sha256Hex(Arrays.copyOfRange(content, off, Math.min(content.length, off + CHUNK))));
        }
        return out;
    }

    /** Writes {@code content} at {@code rel} and returns the row of a node that synced it. */
    private Local synced(String rel, byte[] content) throws Exception {
        Path file = root.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return new Local(5, Hashing.sha256Hex(content), FileStat.read(root, rel));
    }

    @Test
    void copiesTheChunksOnlyTheHistoryHoldsAndTheStoreLacks() throws Exception {
        byte[] content = bytes(3 * CHUNK + 123, 1);
        Local row = synced("docs/big.bin", content);
        List<String> chunks = chunksOf(content);
        history.chunks = chunks;
        // chunk 1 is still used by the current version (the edit left it alone); chunk 2 is held already
        history.current.add(chunks.get(1));
        blobs.put(chunks.get(2), ByteBuffer.wrap(Arrays.copyOfRange(content, 2 * CHUNK, 3 * CHUNK)));

        long kept = keeper().keep("docs/big.bin", row);

        assertThat(kept).isEqualTo(CHUNK + 123);
        assertThat(blobs.has(chunks.get(0))).isTrue();
        assertThat(blobs.has(chunks.get(1))).as("it lives in the current file").isFalse();
        assertThat(blobs.has(chunks.get(3))).as("the short last chunk, packed").isTrue();
        assertThat(blobs.read(chunks.get(0))).isEqualTo(Arrays.copyOfRange(content, 0, CHUNK));
        assertThat(blobs.read(chunks.get(3))).isEqualTo(Arrays.copyOfRange(content, 3 * CHUNK, content.length));
        assertThat(keeper().keep("docs/big.bin", row)).as("nothing is copied twice").isZero();
    }

    @Test
    void aChunkRepeatedInTheFileIsCopiedOnce() throws Exception {
        byte[] block = bytes(CHUNK, 2);
        byte[] content = new byte[2 * CHUNK + 10];
        System.arraycopy(block, 0, content, 0, CHUNK);
        System.arraycopy(block, 0, content, CHUNK, CHUNK);
        Local row = synced("twice.bin", content);
        history.chunks = chunksOf(content);

        assertThat(keeper().keep("twice.bin", row)).isEqualTo(CHUNK + 10);
        assertThat(blobs.has(history.chunks.get(0))).isTrue();
    }

    @Test
    void aFileChangedSinceItWasSyncedIsLeftToThePeers() throws Exception {
        byte[] content = bytes(2 * CHUNK, 3);
        Local row = synced("edited.bin", content);
        history.chunks = chunksOf(content);
        byte[] edit = content.clone();
        edit[10] ^= 1;
        Files.write(root.resolve("edited.bin"), edit);

        assertThat(keeper().keep("edited.bin", row)).isZero();
        assertThat(blobs.has(history.chunks.get(0))).isFalse();
    }

    @Test
    void bytesThatDoNotHashAsTheVersionSaysAreNotKept() throws Exception {
        byte[] content = bytes(2 * CHUNK, 4);
        Local row = synced("other.bin", content);
        // The history's version of it has other content than the file (same stat: an edit that kept size and times).
        history.chunks = chunksOf(bytes(2 * CHUNK, 5));

        assertThat(keeper().keep("other.bin", row)).isZero();
        for (String c : history.chunks) assertThat(blobs.has(c)).isFalse();
    }

    @Test
    void nothingIsKeptWhenHistoryIsOffOrDoesNotHoldTheVersion() throws Exception {
        byte[] content = bytes(2 * CHUNK, 6);
        Local row = synced("a.bin", content);
        history.chunks = chunksOf(content);
        history.enabled = false;
        assertThat(keeper().keep("a.bin", row)).isZero();

        history.enabled = true;
        history.chunks = null;
        assertThat(keeper().keep("a.bin", row)).isZero();
        assertThat(blobs.has(chunksOf(content).get(0))).isFalse();
    }

    @Test
    void aSmallFileWhoseBlobCameWithItsEntryCostsOneLookUp() throws Exception {
        byte[] content = "hello history".getBytes();
        Local row = synced("small.txt", content);
        String sha = Hashing.sha256Hex(content);
        blobs.put(sha, ByteBuffer.wrap(content));
        history.chunks = List.of(sha);

        assertThat(keeper().keep("small.txt", row)).isZero();
        assertThat(history.lookups).hasValue(0);
    }

    @Test
    void aSmallFileWithoutItsBlobIsCopiedIntoAPack() throws Exception {
        byte[] content = "no blob for me".getBytes();
        Local row = synced("dir/small.txt", content);
        String sha = Hashing.sha256Hex(content);
        history.chunks = List.of(sha);

        assertThat(keeper().keep("dir/small.txt", row)).isEqualTo(content.length);
        assertThat(blobs.read(sha)).isEqualTo(content);
    }

    @Test
    void directoriesEmptyFilesAndUnsyncedPathsAreSkipped() throws Exception {
        history.chunks = List.of();
        Files.createDirectories(root.resolve("d"));
        assertThat(keeper().keep("d", new Local(3, null, FileStat.read(root, "d")))).isZero();
        assertThat(keeper().keep("empty", synced("empty", new byte[0]))).isZero();
        assertThat(keeper().keep("never-synced", null)).isZero();
        assertThat(history.lookups).hasValue(0);
    }

    @Test
    void aFileMissingFromTheFolderIsSkipped() throws Exception {
        byte[] content = bytes(CHUNK + 1, 7);
        Local row = synced("gone/big.bin", content);
        history.chunks = chunksOf(content);
        Files.delete(root.resolve("gone/big.bin"));
        Files.delete(root.resolve("gone"));

        assertThat(keeper().keep("gone/big.bin", row)).isZero();
    }

    @Test
    void aSymlinkInPlaceOfItsDirectoryIsNotFollowed() throws Exception {
        assumeTrue(FolderDir.safe(), "folder paths are resolved without following symlinks on this system");
        byte[] content = bytes(CHUNK + 1, 8);
        Path outside = Files.createDirectories(state.resolve("outside"));
        Files.write(outside.resolve("big.bin"), content);
        Local row = new Local(5, Hashing.sha256Hex(content), FileStat.read(outside.resolve("big.bin")));
        Files.createSymbolicLink(root.resolve("linked"), outside);
        history.chunks = chunksOf(content);

        assertThat(keeper().keep("linked/big.bin", row)).isZero();
        assertThat(blobs.has(history.chunks.get(0))).isFalse();
    }
}
