package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.NewFiles;
import io.pickbox.os.FolderDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files deleted lately kept a while, and moved back by content only while untouched. */
class AtticTest {

    @TempDir
    Path root;

    private static final long MTIME = 1_600_000_000_000L;
    private final AtomicLong nanos = new AtomicLong();
    private Attic attic;

    @AfterEach
    void close() {
        if (attic != null) attic.close();
    }

    private Attic open(int maxFiles, long maxBytes) {
        attic = Attic.open(root.resolve(".pickbox/attic"), root, nanos::get, maxFiles, maxBytes, Duration.ofMinutes(10), false);
        return attic;
    }

    private String write(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return Hashing.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps {@code path} as its deletion would: true when kept, the file gone from the folder either way. */
    private boolean delete(String path, String sha) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            boolean kept = attic.keep(dir, name, FileStat.read(dir, name), sha);
            if (!kept) dir.delete(name);
            return kept;
        }
    }

    private boolean takeTo(String sha, long size, String path) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            return attic.takeInto(sha, size, 0600, MTIME, dir, FolderDir.nameOf(path));
        }
    }

    private long inode(String path) throws IOException {
        return FileStat.of(root.resolve(path)).inode();
    }

    @Test
    void aDeletedFileIsMovedBackByItsContentTheSameInode() throws IOException {
        open(100, 1 << 20);
        String sha = write("d/a.txt", "hello");
        long inode = inode("d/a.txt");

        assertThat(delete("d/a.txt", sha)).isTrue();
        assertThat(root.resolve("d/a.txt")).doesNotExist();
        assertThat(attic.holds(sha, 5)).isTrue();
        assertThat(attic.holds(sha, 6)).as("same sha, another size").isFalse();

        assertThat(takeTo(sha, 5, "e.txt")).isTrue();
        assertThat(root.resolve("e.txt")).hasContent("hello");
        assertThat(inode("e.txt")).isEqualTo(inode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("e.txt")))).isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(root.resolve("e.txt")).toMillis()).isEqualTo(MTIME);
        assertThat(attic.holds(sha, 5)).isFalse();
        assertThat(attic.files()).isZero();
        assertThat(takeTo(sha, 5, "f.txt")).as("taken once").isFalse();
    }

    @Test
    void aFileChangedInTheAtticSinceIsNotTakenBack() throws IOException {
        open(100, 1 << 20);
        String sha = write("a.txt", "hello");
        delete("a.txt", sha);
        try (var files = Files.list(root.resolve(".pickbox/attic"))) {
            Files.writeString(files.findFirst().orElseThrow(), "HELLO");
        }

        assertThat(takeTo(sha, 5, "a.txt")).isFalse();
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(root.resolve(".pickbox/attic")).isEmptyDirectory();
    }

    @Test
    void nothingIsMovedOverAFileAtThePlace() throws IOException {
        open(100, 1 << 20);
        String sha = write("a.txt", "hello");
        delete("a.txt", sha);
        write("a.txt", "the user's");

        assertThat(takeTo(sha, 5, "a.txt")).isFalse();
        assertThat(root.resolve("a.txt")).hasContent("the user's");
    }

    @Test
    void unknownContentLargeFilesAndDirectoriesAreNotKept() throws IOException {
        open(100, 64L << 20);
        write("a.txt", "x");
        assertThat(delete("a.txt", null)).isFalse();

        Path big = root.resolve("big.bin");
        Files.write(big, new byte[Hashing.CHUNK_SIZE]);
        assertThat(delete("big.bin", "0".repeat(64))).isFalse();
        Files.createDirectories(root.resolve("dir"));
        try (FolderDir top = FolderDir.open(root, "")) {
            assertThat(attic.keep(top, "dir", FileStat.read(top, "dir"), "0".repeat(64))).isFalse();
        }
        assertThat(attic.files()).isZero();
    }

    @Test
    void theOldestGoFirstPastTheCountTheBytesAndTheAge() throws IOException {
        open(3, 12);
        String[] shas = new String[5];
        for (int i = 0; i < 5; i++) {
            shas[i] = write("f" + i, "abc" + i);
            nanos.addAndGet(1_000);
            assertThat(delete("f" + i, shas[i])).isTrue();
        }
        assertThat(attic.files()).isEqualTo(3);
        assertThat(attic.holds(shas[1], 4)).isFalse();
        assertThat(attic.holds(shas[2], 4)).isTrue();
        assertThat(attic.bytes()).isEqualTo(12);

        String six = write("f5", "abcdefgh"); // 8 bytes: 20 in all, over 12
        delete("f5", six);
        assertThat(attic.holds(six, 8)).isTrue();
        assertThat(attic.bytes()).isLessThanOrEqualTo(12);
        assertThat(attic.holds(shas[3], 4)).isFalse();
        assertThat(attic.holds(shas[4], 4)).isTrue();

        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        attic.sweep();
        assertThat(attic.files()).isZero();
        assertThat(root.resolve(".pickbox/attic")).isEmptyDirectory();
    }

    @Test
    void clearGivesBackEverything() throws IOException {
        open(100, 1 << 20);
        delete("a", write("a", "1"));
        delete("b", write("b", "2"));
        attic.clear();
        assertThat(attic.files()).isZero();
        assertThat(attic.bytes()).isZero();
        assertThat(root.resolve(".pickbox/attic")).isEmptyDirectory();
    }

    @Test
    void whatAnEarlierRunLeftIsRemovedAtOpen() throws IOException {
        Files.createDirectories(root.resolve(".pickbox/attic"));
        Files.writeString(root.resolve(".pickbox/attic/1f"), "left");
        open(100, 1 << 20);
        assertThat(root.resolve(".pickbox/attic")).isEmptyDirectory();
    }

    @Test
    void anAtticOnAnotherFileSystemKeepsNothing() throws IOException {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm)
                && !Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(root, "unix:dev")), "needs another file system");
        Path elsewhere = Files.createTempDirectory(shm, "attic");
        try {
            attic = Attic.open(elsewhere.resolve("attic"), root, nanos::get, 100, 1 << 20, Duration.ofMinutes(10), false);
            assertThat(delete("a", write("a", "1"))).isFalse();
            assertThat(root.resolve("a")).doesNotExist();
        } finally {
            try (var s = Files.walk(elsewhere)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void newFilesMovesAKeptFileIntoPlaceWithTheModeAndTimeAsked() throws IOException {
        open(100, 1 << 20);
        String sha = write("d/a.txt", "hello");
        long inode = inode("d/a.txt");
        delete("d/a.txt", sha);

        List<NewFiles.Placed> placed = NewFiles.write(root, List.of(
                new NewFiles.NewFile("d/a.txt", null, 0640, 1_600_000_000_000L, (dir, name) -> attic.takeInto(sha, 5, 0640, 1_600_000_000_000L, dir, name)),
                new NewFiles.NewFile("d/gone.txt", null, 0640, 1_600_000_000_000L, (dir, name) -> attic.takeInto(sha, 5, 0640, 1_600_000_000_000L, dir, name)),
                new NewFiles.NewFile("d/b.txt", "new".getBytes(StandardCharsets.UTF_8), 0644, 1_600_000_000_000L)));

        assertThat(placed).extracting(NewFiles.Placed::path).containsExactly("d/a.txt", "d/b.txt");
        assertThat(root.resolve("d/a.txt")).hasContent("hello");
        assertThat(inode("d/a.txt")).isEqualTo(inode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("d/a.txt")))).isEqualTo("rw-r-----");
        assertThat(Files.getLastModifiedTime(root.resolve("d/a.txt")).toMillis()).isEqualTo(1_600_000_000_000L);
        assertThat(root.resolve("d/gone.txt")).doesNotExist();
        try (var s = Files.list(root.resolve("d"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.txt", "b.txt");
        }
    }
}
