package io.pickbox.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class OsPackageTest {

    @TempDir
    Path dir;

    @Test
    void syncfsSyncsTheFileSystemOfAFolder() throws IOException {
        Files.writeString(dir.resolve("a"), "a");
        assertThat(FileSystemSync.syncFileSystemOf(dir)).isTrue();
        assertThat(FileSystemSync.syncFileSystemOf(dir.resolve("missing"))).isFalse();
    }

    @Test
    void statxReadsFilesDirectoriesAndSymlinks() throws IOException {
        Path file = Files.write(dir.resolve("f"), new byte[42]);
        Path link = Files.createSymbolicLink(dir.resolve("l"), file);
        assertThat(Statx.read(file).size()).isEqualTo(42);
        assertThat(Statx.read(dir).isDirectory()).isTrue();
        assertThat(Statx.read(link).isSymbolicLink()).isTrue();
        assertThat(Statx.read(dir.resolve("missing"))).isNull();
    }
}
