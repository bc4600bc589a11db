package io.pickbox.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

class RegularFilesTest {

    @TempDir
    Path dir;

    @Test
    void opensARegularFile() throws IOException {
        Files.writeString(dir.resolve("f"), "content");
        assertThat(read(dir.resolve("f"))).isEqualTo("content");
    }

    @Test
    void opensAFileOfADirectoryHeldOpen() throws IOException {
        Files.createDirectories(dir.resolve("d"));
        Files.writeString(dir.resolve("d/f"), "held");
        try (FolderDir d = FolderDir.open(dir, "d")) {
            // As sync reads a file of the folder: through its directory's descriptor.
            assertThat(read(d.path("f"))).isEqualTo("held");
        }
    }

    @Test
    void refusesAFifoWithoutWaitingForAWriter() throws Exception {
        Path pipe = dir.resolve("pipe");
        FolderDirTest.mkfifo(pipe);
        // A plain open of it to read waits for a writer, for ever.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> RegularFiles.open(pipe, StandardOpenOption.READ))
                        .isInstanceOf(NotRegularFileException.class).hasMessageContaining("fifo"));
    }

    @Test
    void refusesASymlinkADirectoryAndNothing() throws IOException {
        Files.writeString(dir.resolve("target"), "secret");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
        Files.createDirectories(dir.resolve("d"));
        assertThatThrownBy(() -> RegularFiles.open(dir.resolve("link"), StandardOpenOption.READ)).isInstanceOf(SymlinkInPathException.class);
        assertThatThrownBy(() -> RegularFiles.open(dir.resolve("d"), StandardOpenOption.READ)).isInstanceOf(NotRegularFileException.class)
                .hasMessageContaining("directory");
        assertThatThrownBy(() -> RegularFiles.open(dir.resolve("missing"), StandardOpenOption.READ)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> RegularFiles.open(dir.resolve("missing/f"), StandardOpenOption.READ)).isInstanceOf(NoSuchFileException.class);
    }

    private static String read(Path p) throws IOException {
        try (FileChannel in = RegularFiles.open(p, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(64);
            in.read(buf);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }
}
