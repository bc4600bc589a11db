package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chunks a node serves: from its blobs, or else from its folder's files, only when they match. */
class LocalChunksTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path folder;
    @TempDir
    Path state;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b, int from, int to) {
        return Hashing.sha256Hex(ByteBuffer.wrap(Arrays.copyOfRange(b, from, to)));
    }

    @Test
    void aChunkComesFromItsBlobOrElseFromWhereItSits() throws Exception {
        byte[] content = bytes(CHUNK + 100, 1);
        Files.write(folder.resolve("f.bin"), content);
        String first = sha(content, 0, CHUNK);
        byte[] other = bytes(50, 2);
        String blobOnly = Hashing.sha256Hex(ByteBuffer.wrap(other));
        try (BlobStore blobs = new BlobStore(state.resolve("blobs"))) {
            blobs.put(blobOnly, ByteBuffer.wrap(other));
            LocalChunks chunks = new LocalChunks(blobs, new FolderChunks(folder));

            assertThat(chunks.read(blobOnly, null)).isEqualTo(other);
            assertThat(chunks.read(first, new Placement("f.bin", 0))).isEqualTo(Arrays.copyOf(content, CHUNK));
            assertThat(chunks.read(first, null)).isNull();
            assertThat(chunks.read(first, new Placement("f.bin", CHUNK))).as("another chunk sits there").isNull();
        }
    }

    /**
     * A restore asks for an old version's chunks where the file sits: a peer whose folder holds
     * another version there now serves them from the blobs it kept for the history.
     */
    @Test
    void aChunkKeptOnlyForTheHistoryIsServedWhereAnotherVersionSitsNow() throws Exception {
        byte[] old = bytes(CHUNK + 10, 4);
        byte[] now = bytes(CHUNK + 10, 5);
        Files.write(folder.resolve("f.bin"), now);
        String oldFirst = sha(old, 0, CHUNK);
        String oldTail = sha(old, CHUNK, old.length);
        try (BlobStore blobs = new BlobStore(state.resolve("blobs"))) {
            blobs.put(oldFirst, ByteBuffer.wrap(old, 0, CHUNK));
            blobs.put(oldTail, ByteBuffer.wrap(old, CHUNK, 10));
            LocalChunks chunks = new LocalChunks(blobs, new FolderChunks(folder));

            assertThat(chunks.read(oldFirst, new Placement("f.bin", 0))).isEqualTo(Arrays.copyOf(old, CHUNK));
            assertThat(chunks.read(oldTail, new Placement("f.bin", CHUNK))).isEqualTo(Arrays.copyOfRange(old, CHUNK, old.length));
            try (InputStream in = chunks.openFile("f.bin", List.of(oldFirst, oldTail))) {
                assertThat(in.readAllBytes()).isEqualTo(old);
            }
        }
    }

    @Test
    void aFileIsServedFromThisNodesCopyOrFromBlobsAndTheFirstChunkHeldByNeitherIsNamed() throws Exception {
        byte[] content = bytes(2 * CHUNK + 7, 3);
        List<String> hashes = List.of(sha(content, 0, CHUNK), sha(content, CHUNK, 2 * CHUNK), sha(content, 2 * CHUNK, content.length));
        try (BlobStore blobs = new BlobStore(state.resolve("blobs"))) {
            LocalChunks chunks = new LocalChunks(blobs, new FolderChunks(folder));
            assertThat(chunks.firstMissing("f.bin", content.length, hashes)).isEqualTo(hashes.get(0));

            blobs.put(hashes.get(0), ByteBuffer.wrap(content, 0, CHUNK));
            assertThat(chunks.firstMissing("f.bin", content.length, hashes)).isEqualTo(hashes.get(1));

            Files.write(folder.resolve("f.bin"), content);
            assertThat(chunks.firstMissing("f.bin", content.length, hashes)).isNull();
            try (InputStream in = chunks.openFile("f.bin", hashes)) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }

            // The copy changes after the check: the stream ends with an error, never with other bytes.
            byte[] changed = content.clone();
            changed[2 * CHUNK] ^= 1;
            Files.write(folder.resolve("f.bin"), changed);
            assertThatThrownBy(() -> {
                try (InputStream in = chunks.openFile("f.bin", hashes)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(UncheckedIOException.class).hasMessageContaining(hashes.get(2));
        }
    }
}
