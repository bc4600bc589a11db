package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pickbox.folder.SkippedNamesLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Behaviour both implementations must share. */
class WatcherContractTest extends WatcherTestSupport {

    @TempDir Path dir;
    @TempDir Path outside;

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void createdFileIsReportedCompleteAfterClose(WatcherKind kind) throws IOException {
        start(kind, dir);
        Files.writeString(dir.resolve("f.txt"), "hello");
        awaitCompleted("f.txt");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void appendIsReported(WatcherKind kind) throws IOException {
        Files.writeString(dir.resolve("log.txt"), "a");
        start(kind, dir);
        Files.writeString(dir.resolve("log.txt"), "b", StandardOpenOption.APPEND);
        awaitCompleted("log.txt");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void deleteIsReported(WatcherKind kind) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/gone.txt"), "x");
        start(kind, dir);
        Files.delete(dir.resolve("sub/gone.txt"));
        awaitCompleted("sub/gone.txt");
        Files.delete(dir.resolve("sub"));
        awaitCompleted("sub");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void nestedDirectoriesAndTheirFirstFileAreAllReported(WatcherKind kind) throws IOException {
        start(kind, dir);
        // mkdir -p a/b/c && echo x > a/b/c/f — races the watcher adding watches for a, b, c.
        Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(dir.resolve("a/b/c/f"), "x");
        awaitCompleted("a", "a/b", "a/b/c", "a/b/c/f");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void copiedTreeIsReportedCompletely(WatcherKind kind) throws IOException {
        Path src = outside.resolve("tree");
        List<String> files = new ArrayList<>();
        for (String d : List.of("x", "x/y", "x/y/z", "w")) {
            Files.createDirectories(src.resolve(d));
            for (int i = 0; i < 5; i++) {
                Files.writeString(src.resolve(d + "/f" + i), "data" + i);
                files.add("tree/" + d + "/f" + i);
            }
        }
        start(kind, dir);
        try (Stream<Path> walk = Files.walk(src)) { // cp -r: parents are created before children
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.copy(p, dir.resolve(outside.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        awaitCovered(files);
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void renamedDirectoryReportsLaterChangesUnderItsNewPath(WatcherKind kind) throws IOException {
        Files.createDirectories(dir.resolve("old/inner"));
        Files.writeString(dir.resolve("old/inner/x.txt"), "x");
        start(kind, dir);
        Files.move(dir.resolve("old"), dir.resolve("new"), StandardCopyOption.ATOMIC_MOVE);
        await().atMost(TIMEOUT).until(() -> rec.allPaths().contains("new"));
        settle();
        rec.clear();

        Files.writeString(dir.resolve("new/inner/x.txt"), "changed");
        Files.writeString(dir.resolve("new/inner/y.txt"), "y");
        awaitCompleted("new/inner/x.txt", "new/inner/y.txt");
        settle();
        assertThat(reportedPaths()).noneMatch(p -> RelPaths.isSelfOrBelow(p, "old"));
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void moveOutOfTheRootIsReportedAsChangeOfTheOldPath(WatcherKind kind) throws IOException {
        Files.writeString(dir.resolve("leaving.txt"), "bye");
        Files.createDirectories(dir.resolve("leavingDir/sub"));
        Files.writeString(dir.resolve("leavingDir/sub/f"), "f");
        start(kind, dir);

        Files.move(dir.resolve("leaving.txt"), outside.resolve("leaving.txt"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("leavingDir"), outside.resolve("leavingDir"), StandardCopyOption.ATOMIC_MOVE);
        awaitCompleted("leaving.txt", "leavingDir");
        assertThat(rec.moves()).isEmpty();

        // The departed tree must no longer be watched under its old name.
        settle();
        rec.clear();
        Files.writeString(outside.resolve("leavingDir/sub/f"), "still watched?");
        Files.writeString(outside.resolve("leavingDir/sub/g"), "new");
        settle();
        assertThat(reportedPaths()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void directoryMovedInIsRescannedOrReported(WatcherKind kind) throws IOException {
        Path incoming = outside.resolve("incoming");
        Files.createDirectories(incoming.resolve("deep"));
        Files.writeString(incoming.resolve("a.txt"), "a");
        Files.writeString(incoming.resolve("deep/b.txt"), "b");
        start(kind, dir);

        Files.move(incoming, dir.resolve("incoming"), StandardCopyOption.ATOMIC_MOVE);
        awaitCovered(List.of("incoming", "incoming/a.txt", "incoming/deep/b.txt"));

        // And it is watched from now on.
        Files.writeString(dir.resolve("incoming/deep/c.txt"), "c");
        awaitCompleted("incoming/deep/c.txt");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void ignoredPathsAreNeverReported(WatcherKind kind) throws IOException {
        Predicate<String> ignored = p -> p.equals(".pickbox") || p.startsWith(".pickbox/")
                || p.endsWith(".tmp") || p.contains("/.pickbox");
        Files.createDirectories(dir.resolve(".pickbox"));
        start(kind, dir, ignored);

        Files.writeString(dir.resolve(".pickbox/state.json"), "{}");
        Files.createDirectories(dir.resolve(".pickbox/nested/deeper"));
        Files.writeString(dir.resolve(".pickbox/nested/deeper/x"), "x");
        Files.createDirectories(dir.resolve("docs/.pickbox"));
        Files.writeString(dir.resolve("docs/.pickbox/y"), "y");
        Files.writeString(dir.resolve("docs/report.tmp"), "partial");
        Files.move(dir.resolve("docs/report.tmp"), dir.resolve("docs/report.txt"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(dir.resolve(".pickbox/state.json"));

        awaitCovered(List.of("docs/report.txt"));
        settle();
        assertThat(reportedPaths()).noneMatch(ignored);
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void closeStopsTheThreadAndIsIdempotent(WatcherKind kind) throws IOException {
        start(kind, dir);
        Thread t = kind.thread(watcher);
        assertThat(t.isAlive()).isTrue();
        assertThat(t.isDaemon()).isTrue();

        watcher.close();
        assertThat(t.isAlive()).isFalse();
        assertThatCode(watcher::close).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void closeBeforeStartReleasesEverything(WatcherKind kind) throws IOException {
        if (kind == WatcherKind.INOTIFY) {
            assumeTrue(WatcherKind.linux());
        }
        FolderWatcher w = kind.create(dir, p -> false, rec);
        w.close();
        w.close();
        assertThat(kind.thread(w)).isNull();
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void startFailsForAMissingRootAndLeavesNothingRunning(WatcherKind kind) throws IOException {
        if (kind == WatcherKind.INOTIFY) {
            assumeTrue(WatcherKind.linux());
        }
        FolderWatcher w = kind.create(dir.resolve("missing"), p -> false, rec);
        assertThatThrownBy(w::start).isInstanceOf(IOException.class);
        assertThat(kind.thread(w)).isNull();
        assertThatCode(w::close).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void callbacksRunOnTheWatcherThread(WatcherKind kind) throws IOException {
        start(kind, dir);
        Files.writeString(dir.resolve("t.txt"), "t");
        awaitCompleted("t.txt");
        assertThat(rec.lastCallbackThread).isSameAs(kind.thread(watcher));
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void aThrowingListenerDoesNotStopTheWatcher(WatcherKind kind) throws IOException {
        AtomicBoolean thrown = new AtomicBoolean();
        ChangeListener flaky = new ChangeListener() {
            @Override
            public void changed(String relPath, boolean writerDone) {
                if (thrown.compareAndSet(false, true)) {
                    throw new IllegalStateException("boom");
                }
                rec.changed(relPath, writerDone);
            }

            @Override
            public void moved(String from, String to) {
                rec.moved(from, to);
            }

            @Override
            public void rescan(String relDir) {
                rec.rescan(relDir);
            }
        };
        if (kind == WatcherKind.INOTIFY) {
            assumeTrue(WatcherKind.linux());
        }
        root = dir;
        watcher = kind.create(dir, p -> false, flaky);
        watcher.start();
        Files.writeString(dir.resolve("first.txt"), "1");
        await().atMost(TIMEOUT).until(thrown::get);
        Files.writeString(dir.resolve("second.txt"), "2");
        awaitCompleted("second.txt");
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void manyFilesCreatedQuicklyAreAllReportedOrRescanned(WatcherKind kind) throws IOException {
        start(kind, dir);
        List<String> files = new ArrayList<>();
        byte[] content = "content".getBytes(StandardCharsets.UTF_8);
        for (int d = 0; d < 20; d++) {
            Path sub = Files.createDirectories(dir.resolve("bulk/d" + d));
            for (int f = 0; f < 100; f++) {
                Files.write(sub.resolve("f" + f), content);
                files.add("bulk/d" + d + "/f" + f);
            }
        }
        awaitCovered(files);
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void queueOverflowWhileTheListenerIsStalledAsksForAFullRescan(WatcherKind kind) throws Exception {
        if (kind == WatcherKind.INOTIFY) {
            assumeTrue(WatcherKind.linux());
        }
        int queueLimit = 16_384;
        Path limitFile = Path.of("/proc/sys/fs/inotify/max_queued_events");
        if (Files.isReadable(limitFile)) {
            // One big read: sysctl files answer only a read at offset 0 (Files.readString reads 1 byte first).
            try (var in = Files.newInputStream(limitFile)) {
                queueLimit = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
            }
        }
        assumeTrue(queueLimit <= 65_536, "queue limit too large to overflow quickly: " + queueLimit);

        // Holds the watcher's thread so the kernel queue fills up.
        HoldingListener stalling = new HoldingListener(rec, p -> true);
        root = dir;
        watcher = kind.create(dir, p -> false, stalling);
        watcher.start();
        try {
            // Each file yields CREATE + MODIFY + CLOSE_WRITE, distinct names so the kernel cannot merge them.
            byte[] content = {1};
            for (int i = 0; i < queueLimit / 2 + 100; i++) {
                Files.write(dir.resolve("o" + i), content);
            }
        } finally {
            stalling.release();
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rec.rescans()).as("events so far: %s", rec.events.size()).contains(""));
    }

    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void symlinksAreReportedButNeverFollowed(WatcherKind kind) throws IOException {
        Path target = Files.createDirectories(outside.resolve("target"));
        start(kind, dir);
        try {
            Files.createSymbolicLink(dir.resolve("link"), target);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "symlinks not supported here: " + e);
        }
        awaitCompleted("link");
        Files.writeString(target.resolve("inside.txt"), "not ours");
        settle();
        assertThat(reportedPaths()).noneMatch(p -> p.startsWith("link/"));

        Files.delete(dir.resolve("link"));
        rec.clear();
        settle();
        Files.createSymbolicLink(dir.resolve("link2"), target);
        Files.delete(dir.resolve("link2"));
        await().atMost(TIMEOUT).until(() -> rec.completedPaths().contains("link2"));
    }

    /**
     * A name whose bytes are not UTF-8 (a Latin-1 name from an old archive, say) decodes to a path
     * that names no file: it is skipped with one WARN, and so is what a directory of such a name
     * holds, when it appears or when a directory moved in is walked.
     */
    @ParameterizedTest
    @EnumSource(WatcherKind.class)
    void namesThatAreNotUtf8AreSkippedWithOneWarningEach(WatcherKind kind) throws Exception {
        assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")), "file names are decoded as UTF-8 (the locale's encoding)");
        String tag = "l1-" + System.nanoTime();
        try (SkippedNamesLog warnings = SkippedNamesLog.capture()) {
            start(kind, dir);
            // caf<e9>: Latin-1's e-acute, not UTF-8.
            shell("cd '" + dir + "' && printf x > $'caf\\xe9-" + tag + ".txt' && mkdir $'d\\xe9-" + tag + "'"
                    + " && printf y > $'d\\xe9-" + tag + "/inside.txt'");
            Files.createDirectories(outside.resolve("moved"));
            Files.writeString(outside.resolve("moved/ok.txt"), "ok");
            shell("cd '" + outside + "' && printf z > $'moved/n\\xe9-" + tag + ".txt'");
            Files.move(outside.resolve("moved"), dir.resolve("moved"));
            awaitCovered(List.of("moved/ok.txt"));
            settle();
            assertThat(reportedPaths()).noneMatch(p -> p.contains(tag));
            assertThat(warnings.containing("caf\uFFFD-" + tag))
                    .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("skipping", "not valid UTF-8"));
            if (kind == WatcherKind.INOTIFY) {
                // The directory moved in is walked (the polling watcher rescans it as a whole).
                assertThat(warnings.containing("moved/n\uFFFD-" + tag)).hasSize(1);
            }
        }
    }

    private static void shell(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command).isZero();
    }
}
