package io.pickbox.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

class FolderDirTest {

    @TempDir
    Path tmp;
    Path root;
    Path outside;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(FolderDir.safe(), "resolution without following symlinks is for Linux");
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.setPosixFilePermissions(outside.resolve("secret.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/link"), outside);
    }

    @AfterEach
    void restore() {
        FolderDir.useOpenat2(true);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSymlinkInTheMiddleIsRefusedAndNamed(boolean openat2) {
        FolderDir.useOpenat2(openat2);
        assertThatThrownBy(() -> FolderDir.open(root, "a/link/inner"))
                .isInstanceOfSatisfying(SymlinkInPathException.class, e -> {
                    assertThat(e.symlink()).isEqualTo("a/link");
                    assertThat(e.path()).isEqualTo("a/link/inner");
                    assertThat(e.getMessage()).contains("a/link is a symlink");
                });
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSymlinkAtTheEndIsRefused(boolean openat2) throws IOException {
        FolderDir.useOpenat2(openat2);
        assertThatThrownBy(() -> FolderDir.open(root, "a/link"))
                .isInstanceOfSatisfying(SymlinkInPathException.class, e -> assertThat(e.symlink()).isEqualTo("a/link"));
        assertThatThrownBy(() -> FolderDir.openCreating(root, "a/link/new"))
                .isInstanceOf(SymlinkInPathException.class);
        assertThat(outside.resolve("new")).doesNotExist();
        try (FolderDir a = FolderDir.open(root, "a")) {
            assertThat(a.rel()).isEqualTo("a");
            assertThat(a.isSymlink("link")).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void missingAndFileComponentsAreTold(boolean openat2) throws IOException {
        FolderDir.useOpenat2(openat2);
        Files.writeString(root.resolve("a/file"), "x");
        assertThatThrownBy(() -> FolderDir.open(root, "a/missing/c")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> FolderDir.open(root, "a/file/c")).isInstanceOf(NotDirectoryException.class);
        try (FolderDir made = FolderDir.openCreating(root, "a/new/deeper")) {
            assertThat(made.rel()).isEqualTo("a/new/deeper");
        }
        assertThat(root.resolve("a/new/deeper")).isDirectory();
    }

    @Test
    void dotDotAndAbsolutePathsAreRefused() {
        for (String bad : new String[] {"..", "a/../..", "a/b/../../..", "/etc", "a//b", "./a", "a/."}) {
            assertThatThrownBy(() -> FolderDir.open(root, bad)).as(bad).isInstanceOf(UnsafePathException.class);
        }
        try (FolderDir d = FolderDir.open(root, "a")) {
            for (String bad : new String[] {"..", ".", "b/c", ""}) {
                assertThatThrownBy(() -> d.path(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void operationsOnALastComponentThatIsASymlinkDoNotFollowIt() throws IOException {
        Files.createSymbolicLink(root.resolve("a/b/s"), outside.resolve("secret.txt"));
        Map<String, String> before = snapshot(outside);
        try (FolderDir b = FolderDir.open(root, "a/b")) {
            assertThatThrownBy(() -> b.open("s", StandardOpenOption.WRITE)).isInstanceOf(SymlinkInPathException.class);
            assertThatThrownBy(() -> b.open("s", StandardOpenOption.READ)).isInstanceOf(SymlinkInPathException.class);
            assertThatThrownBy(() -> b.chmod("s", 0777)).isInstanceOf(SymlinkInPathException.class);
            b.setTimes("s", 0); // the link's own times
            assertThatThrownBy(() -> b.mkdir("s")).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(b.stat("s").isSymbolicLink()).isTrue();
            assertThat(b.delete("s")).isTrue();
        }
        assertThat(snapshot(outside)).isEqualTo(before);
    }

    @Test
    void onlyARegularFileIsOpenedWhereNothingIsCreated() throws Exception {
        mkfifo(root.resolve("a/b/pipe"));
        Files.writeString(root.resolve("a/b/f"), "content");
        try (FolderDir b = FolderDir.open(root, "a/b"); FolderDir a = FolderDir.open(root, "a")) {
            // Each of these opens of a fifo used to wait in open(2) for a writer, for ever.
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertThatThrownBy(() -> b.open("pipe", StandardOpenOption.READ)).isInstanceOf(NotRegularFileException.class)
                        .hasMessageContaining("a/b/pipe").hasMessageContaining("fifo");
                assertThatThrownBy(() -> b.open("pipe", StandardOpenOption.WRITE)).isInstanceOf(NotRegularFileException.class);
            });
            assertThatThrownBy(() -> b.open("pipe", StandardOpenOption.READ, StandardOpenOption.WRITE)).isInstanceOf(NotRegularFileException.class);
            assertThatThrownBy(() -> a.open("b", StandardOpenOption.READ)).isInstanceOf(NotRegularFileException.class)
                    .hasMessageContaining("directory");
            assertThatThrownBy(() -> b.open("missing", StandardOpenOption.READ)).isInstanceOf(NoSuchFileException.class);
            try (FileChannel in = b.open("f", StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(32);
                in.read(buf);
                assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)).isEqualTo("content");
            }
            try (FileChannel out = b.open("f", StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(Files.readString(root.resolve("a/b/f"))).isEqualTo("new");
        }
        assertThat(Files.isRegularFile(root.resolve("a/b/pipe"), LinkOption.NOFOLLOW_LINKS)).as("the fifo left as it is").isFalse();
    }

    static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).as("mkfifo " + p).isZero();
    }

    @Test
    void writesRenamesAndChangesModeAndTimesInTheDirectoryHeld() throws IOException {
        try (FolderDir b = FolderDir.open(root, "a/b"); FolderDir a = FolderDir.open(root, "a")) {
            try (FileChannel ch = b.open("t", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
            }
            b.chmod("t", 0640);
            b.setTimes("t", 1_500_000_000_123L);
            b.rename("t", a, "f");
            Files.writeString(b.path("g"), "other");
            assertThat(b.renameNoReplace("g", a, "f")).isFalse();
            assertThat(b.delete("g")).isTrue();
            b.mkdir("d");
            assertThat(b.list()).containsExactly("d");
            assertThat(b.delete("d")).isTrue();
            assertThat(b.delete("d")).isFalse();
            b.fsync();
            Statx st = a.stat("f");
            assertThat(st.size()).isEqualTo(5);
            assertThat(st.permissions()).isEqualTo(0640);
            assertThat(st.mtimeMillis()).isEqualTo(1_500_000_000_123L);
            assertThat(a.stat("missing")).isNull();
        }
        assertThat(root.resolve("a/f")).hasContent("hello");
    }

    @Test
    void createsAFileWithItsBytesModeAndTimeWhereNothingIs() throws IOException {
        Files.createSymbolicLink(root.resolve("a/b/s"), outside.resolve("new.txt"));
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 7);
        try (FolderDir b = FolderDir.open(root, "a/b")) {
            b.createFile("f", "hello".getBytes(StandardCharsets.UTF_8), 0751, 1_500_000_000_123L);
            b.createFile("big", big, 0600, 0);
            b.createFile("empty", new byte[0], -1, 1_000);
            assertThatThrownBy(() -> b.createFile("f", new byte[1], 0644, 0)).isInstanceOf(FileAlreadyExistsException.class);
            // a symlink at the name is not followed: nothing is created where it points
            assertThatThrownBy(() -> b.createFile("s", new byte[1], 0644, 0)).isInstanceOf(FileAlreadyExistsException.class);
            Statx st = b.stat("f");
            assertThat(st.permissions()).isEqualTo(0751);
            assertThat(st.mtimeMillis()).isEqualTo(1_500_000_000_123L);
        }
        assertThat(root.resolve("a/b/f")).hasContent("hello");
        assertThat(Files.readAllBytes(root.resolve("a/b/big"))).isEqualTo(big);
        assertThat(root.resolve("a/b/empty")).isEmptyFile();
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(Files.readSymbolicLink(root.resolve("a/b/s"))).isEqualTo(outside.resolve("new.txt"));
    }

    /**
     * One thread keeps swapping {@code d} between a real directory and a symlink to a directory
     * outside; another writes, renames, changes modes and times and deletes in {@code d} through
     * the layer all the while. Whatever the interleaving, nothing outside changes. It goes on until
     * both have happened often enough, operations done in {@code d} and refused at its symlink: how
     * many of each a fixed number of rounds gives depends on the two threads' relative speed.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aDirectorySwappedWithASymlinkNeverLeadsOutside(boolean openat2) throws Exception {
        FolderDir.useOpenat2(openat2);
        Path d = Files.createDirectory(root.resolve("d"));
        Path parked = root.resolve("parked");
        Map<String, String> before = snapshot(outside);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread swapper = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Files.move(d, parked);
                    Files.createSymbolicLink(d, outside);
                    Thread.onSpinWait();
                    Files.delete(d);
                    Files.move(parked, d);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        swapper.start();
        int done = 0, refused = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        try {
            for (int i = 0; (done < 20 || refused < 20) && System.nanoTime() < deadline; i++) {
                try (FolderDir dir = FolderDir.open(root, "d")) {
                    String tmpName = "tmp" + i;
                    try (FileChannel ch = dir.open(tmpName, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap("overwritten".getBytes(StandardCharsets.UTF_8)));
                    }
                    dir.chmod(tmpName, 0777);
                    dir.setTimes(tmpName, 0);
                    dir.rename(tmpName, dir, "secret.txt");
                    dir.chmod("secret.txt", 0777);
                    dir.setTimes("secret.txt", 0);
                    dir.mkdir("sub" + i);
                    dir.delete("sub" + i);
                    if (i % 2 == 0) dir.delete("secret.txt");
                    done++;
                } catch (SymlinkInPathException e) {
                    refused++;
                } catch (NoSuchFileException | FileAlreadyExistsException | NotDirectoryException e) {
                    // d was parked or being swapped at that moment
                }
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(snapshot(outside)).isEqualTo(before);
        assertThat(done).as("operations done in the real directory").isGreaterThanOrEqualTo(20);
        assertThat(refused).as("operations refused at the symlink").isGreaterThanOrEqualTo(20);
    }

    /** Each file under {@code dir} with its content, mode and mtime. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String what = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : "dir";
                out.put(dir.relativize(p).toString(), what + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
            }
        }
        return out;
    }
}
