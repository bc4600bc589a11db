package io.pickbox.folder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

class NewFilesTest {

    @TempDir
    Path root;

    private static NewFiles.NewFile file(String path, String content, int mode, long mtime) {
        return new NewFiles.NewFile(path, content.getBytes(StandardCharsets.UTF_8), mode, mtime);
    }

    private List<String> tempFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> p.getFileName().toString()).filter(PathValidator::isTempName).toList();
        }
    }

    @Test
    void writesEachFileWithItsContentModeAndTime() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        List<NewFiles.NewFile> files = new ArrayList<>();
        for (int i = 0; i < 300; i++) files.add(file("a/b/f" + i + ".txt", "content " + i, 0640, 1_600_000_000_000L + i));
        files.add(file("a/run.sh", "#!/bin/sh\n", 0755, 1_600_000_000_000L));
        files.add(file("empty", "", 0644, 1_600_000_000_000L));

        List<NewFiles.Placed> placed = NewFiles.write(root, files);

        assertThat(placed).extracting(NewFiles.Placed::path).containsExactlyElementsOf(files.stream().map(NewFiles.NewFile::path).toList());
        assertThat(root.resolve("a/b/f7.txt")).hasContent("content 7");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/b/f7.txt")))).isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/run.sh")))).isEqualTo("rwxr-xr-x");
        assertThat(Files.getLastModifiedTime(root.resolve("a/b/f7.txt")).toMillis()).isEqualTo(1_600_000_000_007L);
        assertThat(root.resolve("empty")).isEmptyFile();
        NewFiles.Placed seven = placed.stream().filter(p -> p.path().equals("a/b/f7.txt")).findFirst().orElseThrow();
        assertThat(seven.stat().sameAs(FileStat.of(root.resolve("a/b/f7.txt")))).isTrue();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void filesOfManyDirectoriesInAnyOrderAreReportedInTheirOrder() throws IOException {
        for (int d = 0; d < 5; d++) Files.createDirectories(root.resolve("d" + d));
        List<NewFiles.NewFile> files = new ArrayList<>();
        for (int i = 0; i < 100; i++) files.add(file("d" + (i * 7 % 5) + "/f" + i, "content " + i, 0644, 1_600_000_000_000L));

        List<NewFiles.Placed> placed = NewFiles.write(root, files);

        assertThat(placed).extracting(NewFiles.Placed::path).containsExactlyElementsOf(files.stream().map(NewFiles.NewFile::path).toList());
        for (int i = 0; i < 100; i++) assertThat(root.resolve("d" + (i * 7 % 5) + "/f" + i)).hasContent("content " + i);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aFileOrDirectoryAlreadyInPlaceStaysAndIsNotReported() throws IOException {
        Files.writeString(root.resolve("mine.txt"), "a user's own file");
        Files.createDirectory(root.resolve("dir"));

        List<NewFiles.Placed> placed = NewFiles.write(root, List.of(
                file("mine.txt", "from the cluster", 0644, 0), file("dir", "from the cluster", 0644, 0),
                file("new.txt", "from the cluster", 0644, 0)));

        assertThat(placed).extracting(NewFiles.Placed::path).containsExactly("new.txt");
        assertThat(root.resolve("mine.txt")).hasContent("a user's own file");
        assertThat(root.resolve("dir")).isDirectory();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aFileWhoseDirectoryIsMissingIsSkipped() throws IOException {
        List<NewFiles.Placed> placed = NewFiles.write(root, List.of(file("absent/x.txt", "x", 0644, 0), file("y.txt", "y", 0644, 0)));

        assertThat(placed).extracting(NewFiles.Placed::path).containsExactly("y.txt");
        assertThat(root.resolve("absent")).doesNotExist();
        assertThat(tempFiles()).isEmpty();
    }
}
