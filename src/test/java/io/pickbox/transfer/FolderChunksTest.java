package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Chunks read from the folder's files by where they sit, only when they match the hash asked for. */
class FolderChunksTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path root;
    @TempDir
    Path outside;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aFullChunkAndTheShortLastOneAreReadWhereTheySit() throws Exception {
        byte[] content = bytes(2 * CHUNK + 300, 1);
        Files.createDirectories(root.resolve("d"));
        Files.write(root.resolve("d/big.bin"), content);
        FolderChunks chunks = new FolderChunks(root);
        byte[] second = Arrays.copyOfRange(content, CHUNK, 2 * CHUNK);
        byte[] last = Arrays.copyOfRange(content, 2 * CHUNK, content.length);

        assertThat(chunks.read(new Placement("d/big.bin", CHUNK), Hashing.sha256Hex(second))).isEqualTo(second);
        assertThat(chunks.read(new Placement("d/big.bin", 2L * CHUNK), Hashing.sha256Hex(last))).isEqualTo(last);
    }

    @Test
    void bytesThatDoNotMatchTheHashAreNotServed() throws Exception {
        byte[] content = bytes(2 * CHUNK, 2);
        Files.write(root.resolve("big.bin"), content);
        FolderChunks chunks = new FolderChunks(root);
        String first = Hashing.sha256Hex(Arrays.copyOf(content, CHUNK));

        assertThat(chunks.read(new Placement("big.bin", CHUNK), first)).as("another offset").isNull();
        assertThat(chunks.read(new Placement("big.bin", 4L * CHUNK), first)).as("past the end").isNull();
        assertThat(chunks.read(new Placement("gone.bin", 0), first)).as("no such file").isNull();
        content[10] ^= 1;
        Files.write(root.resolve("big.bin"), content);
        assertThat(chunks.read(new Placement("big.bin", 0), first)).as("changed since").isNull();
    }

    @Test
    void nothingIsReadThroughALinkOrOutsideTheFolder() throws Exception {
        byte[] secret = bytes(CHUNK, 3);
        String sha = Hashing.sha256Hex(secret);
        Files.write(outside.resolve("secret.bin"), secret);
        Files.createSymbolicLink(root.resolve("link.bin"), outside.resolve("secret.bin"));
        Files.createSymbolicLink(root.resolve("linked-dir"), outside);
        Files.createDirectories(root.resolve("dir.bin"));
        FolderChunks chunks = new FolderChunks(root);

        assertThat(chunks.read(new Placement("link.bin", 0), sha)).as("a link to a file").isNull();
        assertThat(chunks.read(new Placement("linked-dir/secret.bin", 0), sha)).as("through a linked directory").isNull();
        assertThat(chunks.read(new Placement("dir.bin", 0), sha)).as("a directory").isNull();
        assertThatThrownBy(() -> chunks.read(new Placement("../secret.bin", 0), sha)).isInstanceOf(InvalidPathException.class);
    }

    @Test
    void aFileReachedThroughASymlinkedDirectoryIsNotServedEvenWhenItsTargetIsInTheFolder() throws Exception {
        byte[] content = bytes(300, 7);
        Files.createDirectories(root.resolve("real"));
        Files.write(root.resolve("real/f.bin"), content);
        Files.createSymbolicLink(root.resolve("linked"), root.resolve("real"));
        FolderChunks chunks = new FolderChunks(root);

        assertThat(chunks.read(new Placement("linked/f.bin", 0), Hashing.sha256Hex(content))).isNull();
        assertThat(chunks.holdsFile("linked/f.bin", content.length)).isFalse();
        assertThat(chunks.read(new Placement("real/f.bin", 0), Hashing.sha256Hex(content))).isEqualTo(content);
    }
}
