package io.pickbox.folder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The statx reading must say exactly what the JDK's reading says: stats are compared across both. */
class NativeStatTest {

    @TempDir
    Path dir;

    private static void sameAsJdk(Path p) throws IOException {
        FileStat fast = NativeStat.read(p);
        assertThat(fast).as("statx answers on Linux").isNotSameAs(NativeStat.UNKNOWN);
        assertThat(fast).as(p.toString()).isEqualTo(FileStat.readUnix(p));
    }

    @Test
    void filesDirectoriesAndSymlinksReadAsTheJdkReadsThem() throws IOException {
        Path file = Files.write(dir.resolve("a.txt"), new byte[1234]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x--x"));
        Path sub = Files.createDirectory(dir.resolve("sub dir é"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("nowhere"));
        Path named = Files.write(sub.resolve("ünïcødé — 文件.bin"), new byte[] {1, 2, 3});
        for (Path p : new Path[] {file, sub, link, named, dir}) sameAsJdk(p);
        assertThat(NativeStat.read(link).kind()).isEqualTo(FileStat.Kind.SYMLINK);
        assertThat(NativeStat.read(sub).kind()).isEqualTo(FileStat.Kind.DIR);
        assertThat(NativeStat.read(file).mode()).isEqualTo(0751);
    }

    @Test
    void aFifoIsNeitherAFileNorADirectory() throws Exception {
        Path fifo = dir.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        sameAsJdk(fifo);
        assertThat(NativeStat.read(fifo).kind()).isEqualTo(FileStat.Kind.OTHER);
    }

    @Test
    void timesBeforeTheEpochAndWithNanosecondsMatchTheJdk() throws IOException {
        Path file = Files.write(dir.resolve("old"), new byte[1]);
        for (Instant t : new Instant[] {
                Instant.ofEpochSecond(-1, 1), Instant.ofEpochSecond(-86_400 * 400L, 999_999_999),
                Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Instant.ofEpochSecond(1_700_000_000L), Instant.EPOCH}) {
            Files.setLastModifiedTime(file, FileTime.from(t));
            sameAsJdk(file);
        }
    }

    @Test
    void aMissingPathOrAFileUsedAsADirectoryIsNull() throws IOException {
        Path file = Files.write(dir.resolve("f"), new byte[1]);
        assertThat(NativeStat.read(dir.resolve("missing"))).isNull();
        assertThat(NativeStat.read(file.resolve("below"))).isNull();
        assertThat(FileStat.read(dir.resolve("missing"))).isNull();
        assertThat(Files.exists(dir.resolve("missing"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void aRelativePathIsResolvedAsTheJdkResolvesIt() throws IOException {
        Path file = Files.write(dir.resolve("rel"), new byte[7]);
        Path relative = Path.of("").toAbsolutePath().relativize(file);
        sameAsJdk(relative);
    }
}
