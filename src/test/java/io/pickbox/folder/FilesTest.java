package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FileStat, Hashing and AtomicFiles against a real file system. */
class FilesTest {
    private static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ Hashing

    @Test
    void sha256HexKnownVectors() {
        assertThat(Hashing.sha256Hex(new byte[0], 0, 0)).isEqualTo(EMPTY_SHA);
        byte[] abc = "xabcx".getBytes(StandardCharsets.US_ASCII);
        assertThat(Hashing.sha256Hex(abc, 1, 3))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void digestOfEmptyFile() throws IOException {
        Path f = Files.write(dir.resolve("empty"), new byte[0]);
        FileDigest d = Hashing.digest(f);
        assertThat(d.size()).isZero();
        assertThat(d.sha256()).isEqualTo(EMPTY_SHA);
        assertThat(d.chunkSha256s()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, Hashing.CHUNK_SIZE - 1, Hashing.CHUNK_SIZE, Hashing.CHUNK_SIZE + 1, Hashing.CHUNK_SIZE * 5 / 2})
    void digestChunksFiles(int size) throws IOException {
        byte[] data = randomBytes(size);
        Path f = Files.write(dir.resolve("f"), data);
        FileDigest d = Hashing.digest(f);

        assertThat(d.size()).isEqualTo(size);
        assertThat(d.sha256()).isEqualTo(Hashing.sha256Hex(data, 0, size)).matches("[0-9a-f]{64}");
        List<String> expected = new ArrayList<>();
        for (int off = 0; off < size; off += Hashing.CHUNK_SIZE) {
            expected.add(Hashing.sha256Hex(data, off, Math.min(Hashing.CHUNK_SIZE, size - off)));
        }
        assertThat(d.chunkSha256s()).containsExactlyElementsOf(expected)
                .hasSize((size + Hashing.CHUNK_SIZE - 1) / Hashing.CHUNK_SIZE);
    }

    @Test
    void digestChunkCountsForTypicalSizes() throws IOException {
        assertThat(Hashing.digest(Files.write(dir.resolve("a"), new byte[1])).chunkSha256s()).hasSize(1);
        assertThat(Hashing.digest(Files.write(dir.resolve("b"), new byte[Hashing.CHUNK_SIZE])).chunkSha256s()).hasSize(1);
        assertThat(Hashing.digest(Files.write(dir.resolve("c"), new byte[Hashing.CHUNK_SIZE * 5 / 2])).chunkSha256s()).hasSize(3);
    }

    @Test
    void digestDoesNotFollowSymlinks() throws IOException {
        Path target = Files.write(dir.resolve("target"), new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThatThrownBy(() -> Hashing.digest(link)).isInstanceOf(IOException.class);
    }

    // ------------------------------------------------------------------ FileStat

    @Test
    void statOfMissingPathIsNull() throws IOException {
        assertThat(FileStat.of(dir.resolve("nope"))).isNull();
        assertThat(FileStat.read(dir.resolve("nope/deeper"))).isNull();
    }

    @Test
    void statReportsKindsWithoutFollowingLinks() throws IOException {
        Path file = Files.write(dir.resolve("file"), new byte[10]);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), sub);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing"));

        FileStat f = FileStat.of(file);
        assertThat(f.kind()).isEqualTo(FileStat.Kind.FILE);
        assertThat(f.size()).isEqualTo(10);
        assertThat(f.inode()).isNotZero();
        assertThat(f.ctimeNanos()).isNotZero();
        assertThat(FileStat.of(sub).kind()).isEqualTo(FileStat.Kind.DIR);
        assertThat(FileStat.of(link).kind()).isEqualTo(FileStat.Kind.SYMLINK);
        assertThat(FileStat.of(dangling).kind()).isEqualTo(FileStat.Kind.SYMLINK);
    }

    @Test
    void statModeAndExecutable() throws IOException {
        Path f = Files.write(dir.resolve("script"), new byte[1]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(FileStat.of(f).mode()).isEqualTo(0750);
        assertThat(FileStat.of(f).executable()).isTrue();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r-x"));
        assertThat(FileStat.of(f).mode()).isEqualTo(0645);
        assertThat(FileStat.of(f).executable()).isFalse();
    }

    @Test
    void sameAsDetectsChanges() throws IOException, InterruptedException {
        Path f = Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        FileStat before = FileStat.of(f);
        assertThat(before.sameAs(FileStat.of(f))).isTrue();
        assertThat(before.sameAs(null)).isFalse();

        // Same size and restored mtime, but ctime moves: still detected.
        FileTime mtime = Files.getLastModifiedTime(f);
        Thread.sleep(20);
        Files.write(f, new byte[] {4, 5, 6});
        Files.setLastModifiedTime(f, mtime);
        assertThat(before.sameAs(FileStat.of(f))).isFalse();

        FileStat base = new FileStat(FileStat.Kind.FILE, 1, 2, 3, 0644, 5);
        assertThat(base.sameAs(new FileStat(FileStat.Kind.FILE, 1, 2, 3, 0755, 5))).as("mode alone is not compared").isTrue();
        assertThat(base.sameAs(new FileStat(FileStat.Kind.DIR, 1, 2, 3, 0644, 5))).isFalse();
        assertThat(base.sameAs(new FileStat(FileStat.Kind.FILE, 9, 2, 3, 0644, 5))).isFalse();
        assertThat(base.sameAs(new FileStat(FileStat.Kind.FILE, 1, 9, 3, 0644, 5))).isFalse();
        assertThat(base.sameAs(new FileStat(FileStat.Kind.FILE, 1, 2, 9, 0644, 5))).isFalse();
        assertThat(base.sameAs(new FileStat(FileStat.Kind.FILE, 1, 2, 3, 0644, 9))).isFalse();
    }

    // ------------------------------------------------------------------ AtomicFiles

    @Test
    void writeAtomicallyCreatesParentsAndAppliesModeAndMtime() throws IOException {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Path target = dir.resolve("a/b/c.txt");
        long mtime = 1_600_000_000_123L;
        AtomicFiles.writeAtomically(target, out -> out.write(data), 0751, mtime, Hashing.sha256Hex(data, 0, data.length));

        assertThat(target).hasBinaryContent(data);
        FileStat stat = FileStat.of(target);
        assertThat(stat.mode()).isEqualTo(0751);
        assertThat(stat.mtimeMillis()).isEqualTo(mtime);
        assertThat(tempFiles(target.getParent())).isEmpty();
    }

    @Test
    void writeAtomicallyReplacesExistingFile() throws IOException {
        Path target = Files.writeString(dir.resolve("t"), "old");
        long inodeBefore = FileStat.of(target).inode();
        AtomicFiles.writeAtomically(target, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.close(); // closing is harmless
        }, 0644, 0L, null);
        assertThat(target).hasContent("new");
        assertThat(FileStat.of(target).inode()).isNotEqualTo(inodeBefore);
        assertThat(FileStat.of(target).mtimeMillis()).isZero();
        assertThat(tempFiles(dir)).isEmpty();
    }

    @Test
    void wrongHashLeavesTargetUntouchedAndNoTempFile() throws IOException {
        Path target = Files.writeString(dir.resolve("t"), "old");
        FileStat before = FileStat.of(target);
        assertThatThrownBy(() -> AtomicFiles.writeAtomically(target, out -> out.write(new byte[] {1}), 0644, 0L, EMPTY_SHA))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("hash mismatch");
        assertThat(target).hasContent("old");
        assertThat(FileStat.of(target).sameAs(before)).isTrue();
        assertThat(tempFiles(dir)).isEmpty();
    }

    @Test
    void failingContentWriterLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("t");
        assertThatThrownBy(() -> AtomicFiles.writeAtomically(target, out -> {
            out.write(new byte[100]);
            throw new IOException("source went away");
        }, 0644, 0L, null)).hasMessage("source went away");
        assertThat(target).doesNotExist();
        assertThat(tempFiles(dir)).isEmpty();
    }

    @Test
    void writeAtomicallyWithLargeContentVerifiesHash() throws IOException {
        byte[] data = randomBytes(3 * Hashing.CHUNK_SIZE + 17);
        Path target = dir.resolve("big");
        AtomicFiles.writeAtomically(target, out -> {
            for (int off = 0; off < data.length; off += 1000) {
                out.write(data, off, Math.min(1000, data.length - off));
            }
        }, 0600, 5000L, Hashing.sha256Hex(data, 0, data.length));
        assertThat(Hashing.digest(target).sha256()).isEqualTo(Hashing.sha256Hex(data, 0, data.length));
    }

    @Test
    void fsyncDirectoryIgnoresProblems() {
        AtomicFiles.fsyncDirectory(dir);
        AtomicFiles.fsyncDirectory(dir.resolve("missing"));
    }

    @Test
    void deleteRecursivelyNeverFollowsSymlinks() throws IOException {
        Path outside = Files.createDirectory(dir.resolve("outside"));
        Path keep = Files.writeString(outside.resolve("keep.txt"), "precious");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(dir.resolve("tree/a/link"), outside);
        Files.createSymbolicLink(dir.resolve("tree/a/fileLink"), keep);

        AtomicFiles.deleteRecursively(dir.resolve("tree"));

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(keep).hasContent("precious");
        AtomicFiles.deleteRecursively(dir.resolve("tree")); // missing is fine

        Path topLink = Files.createSymbolicLink(dir.resolve("topLink"), outside);
        AtomicFiles.deleteRecursively(topLink);
        assertThat(Files.exists(topLink, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(keep).hasContent("precious");
    }

    private static List<Path> tempFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PathValidator.TEMP_PREFIX)).toList();
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
