package io.pickbox.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rename asked for while a job is in flight inside one of its trees waits for that job, holds
 * both trees meanwhile (nothing new starts in them), and renames asked for after it that meet its
 * trees start after it; a rename elsewhere does not wait.
 */
class PathSchedulerPairTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Long> inside = new CompletableFuture<>();
    private final CompletableFuture<Boolean> firstPair = new CompletableFuture<>();
    private final PathScheduler scheduler = new PathScheduler(60_000, p -> p.endsWith(".ignored"), p -> 0L, this::job,
            new PathProblems());

    private CompletableFuture<Long> job(String path) {
        started.add(path);
        return path.equals("d/x") ? inside : CompletableFuture.completedFuture(null);
    }

    @AfterEach
    void close() {
        inside.complete(null);
        firstPair.complete(true);
        scheduler.close();
    }

    @Test
    void aRenameWaitsForTheJobInItsTreeAndHoldsBothTreesMeanwhile() {
        scheduler.start();
        scheduler.touchSoon("d/x", 0);
        await().atMost(T).until(() -> started.contains("d/x"));

        List<Boolean> asked = new CopyOnWriteArrayList<>();
        scheduler.post(() -> {
            asked.add(scheduler.runPairOnceFree("d", "e", () -> {
                started.add("rename d e");
                return firstPair;
            }, moved -> started.add("after d e")));
            asked.add(scheduler.runPairOnceFree("e", "f", () -> {
                started.add("rename e f");
                return CompletableFuture.completedFuture(true);
            }, moved -> started.add("after e f")));
            asked.add(scheduler.runPairOnceFree("g", "g.ignored", CompletableFuture::new, moved -> { }));
            asked.add(scheduler.runPairOnceFree("x", "y", () -> {
                started.add("rename x y");
                return CompletableFuture.completedFuture(true);
            }, moved -> { }));
        });
        scheduler.touchSoon("e/y", 0);
        scheduler.touchSoon("elsewhere", 0);
        await().atMost(T).until(() -> started.contains("elsewhere"));
        assertThat(asked).containsExactly(true, true, false, true);
        assertThat(started).as("nothing starts in the held trees; a rename elsewhere does not wait")
                .containsExactlyInAnyOrder("d/x", "rename x y", "elsewhere");

        inside.complete(null);
        await().atMost(T).until(() -> started.contains("rename d e"));
        assertThat(started).doesNotContain("rename e f", "e/y");

        firstPair.complete(true);
        await().atMost(T).until(() -> started.contains("e/y"));
        assertThat(started).containsSubsequence("d/x", "rename d e", "after d e", "rename e f", "after e f", "e/y");
    }
}
