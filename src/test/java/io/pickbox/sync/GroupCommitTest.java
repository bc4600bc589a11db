package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {

    @TempDir
    Path root;
    private GroupCommit committer;

    @AfterEach
    void close() {
        if (committer != null) committer.close();
    }

    private Path temp(Path dir, String content) throws Exception {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(".pickbox-tmp-" + System.nanoTime());
        Files.writeString(tmp, content);
        return tmp;
    }

    /** Commits the temp file {@code tmp}, beside {@code path}'s target, to {@code path}. */
    private CompletableFuture<FileStat> commit(Path tmp, String path, java.util.function.Predicate<FileStat> stillOurs) {
        return committer.commit(root.relativize(tmp).toString(), path, stillOurs);
    }

    @Test
    void manyFilesAppearCompleteAndTheirTempFilesAreGone() throws Exception {
        committer = new GroupCommit(root);
        List<CompletableFuture<FileStat>> done = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Path dir = root.resolve("d" + (i % 7));
            done.add(commit(temp(dir, "file " + i), "d" + (i % 7) + "/f" + i, st -> true));
        }
        for (int i = 0; i < 300; i++) {
            FileStat st = done.get(i).get(10, TimeUnit.SECONDS);
            Path f = root.resolve("d" + (i % 7)).resolve("f" + i);
            assertThat(Files.readString(f)).isEqualTo("file " + i);
            assertThat(st.sameAs(FileStat.of(f))).isTrue();
        }
        try (var files = Files.walk(root)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".pickbox-tmp-"))).isEmpty();
        }
    }

    @Test
    void aLocalEditInTheWayIsNotReplacedAndTheOthersOfTheGroupStillLand() throws Exception {
        committer = new GroupCommit(root);
        Path edited = root.resolve("edited.txt");
        Files.writeString(edited, "the user's uncommitted edit");
        CompletableFuture<FileStat> refused = commit(temp(root, "replicated"), "edited.txt", st -> false);
        CompletableFuture<FileStat> fine = commit(temp(root, "other"), "other.txt", st -> true);
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Materializer.LocalEditInTheWay.class);
        assertThat(Files.readString(edited)).isEqualTo("the user's uncommitted edit");
        fine.get(10, TimeUnit.SECONDS);
        assertThat(Files.readString(root.resolve("other.txt"))).isEqualTo("other");
        try (var files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("edited.txt", "other.txt");
        }
    }

    @Test
    void aDirectoryInTheWayFailsThatFileOnly() throws Exception {
        committer = new GroupCommit(root);
        Files.createDirectories(root.resolve("dir"));
        CompletableFuture<FileStat> f = commit(temp(root, "x"), "dir", st -> true);
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasMessageContaining("a directory is in the way");
        assertThat(root.resolve("dir")).isDirectory();
    }

    @Test
    void afterCloseCommitsFail() throws Exception {
        committer = new GroupCommit(root);
        committer.close();
        CompletableFuture<FileStat> f = commit(temp(root, "late"), "late.txt", st -> true);
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasMessageContaining("closing");
        assertThat(root.resolve("late.txt")).doesNotExist();
        try (var files = Files.list(root)) {
            assertThat(files).as("the temp file is removed").isEmpty();
        }
    }
}
