package io.pickbox.sync;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryFlushTest {

    private static final Path A = Path.of("/folder/a");
    private static final Path B = Path.of("/folder/b");
    private static final Path C = Path.of("/folder/c");

    @Test
    void changesMadeDuringAFlushShareTheNextOne() throws Exception {
        List<Path> flushed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch inFirstFlush = new CountDownLatch(1);
        CountDownLatch finishFirstFlush = new CountDownLatch(1);
        try (DirectoryFlush flush = new DirectoryFlush(dir -> {
            flushed.add(dir);
            if (flushed.size() == 1) {
                inFirstFlush.countDown();
                await(finishFirstFlush);
            }
        })) {
            CompletableFuture<Void> first = flush.flush(A);
            assertThat(inFirstFlush.await(5, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Void>> more = new ArrayList<>();
            for (int i = 0; i < 100; i++) more.add(flush.flush(i % 2 == 0 ? B : C));
            assertThat(first).isNotDone();
            assertThat(more).noneMatch(CompletableFuture::isDone);

            finishFirstFlush.countDown();
            first.get(5, TimeUnit.SECONDS);
            CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
            // 101 changes in three directories: the first flushed alone, the other hundred together.
            assertThat(flushed).containsExactly(A, B, C);
        }
    }

    @Test
    void aRenameAcrossDirectoriesIsDurableOnceBothAreFlushed() throws Exception {
        List<Path> flushed = Collections.synchronizedList(new ArrayList<>());
        try (DirectoryFlush flush = new DirectoryFlush(flushed::add)) {
            flush.flush(A, B).get(5, TimeUnit.SECONDS);
            flush.flush(C, C).get(5, TimeUnit.SECONDS);
        }
        assertThat(flushed).containsExactly(A, B, C);
    }

    @Test
    void nothingIsReportedDurableOnceClosed() {
        DirectoryFlush flush = new DirectoryFlush(dir -> {});
        flush.close();
        assertThatThrownBy(() -> flush.flush(A).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("closing");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A directory whose entries could not be made durable: whoever asked is told, and records nothing as done. */
    @Test
    void aDirectoryThatCannotBeFlushedFailsTheChangesWaitingForIt(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        io.pickbox.os.Durability.use(new io.pickbox.os.Durability() {
            @Override
            public void force(Path file) {
            }

            @Override
            public void forceDirectory(Path dir) throws java.io.IOException {
                throw new java.io.IOException("EIO");
            }

            @Override
            public boolean forceFileSystem(Path dir) {
                return false;
            }

            @Override
            public void rename(Path from, Path to) {
            }
        });
        try (DirectoryFlush flush = new DirectoryFlush()) {
            assertThatThrownBy(() -> flush.flush(root).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("durable");
        } finally {
            io.pickbox.os.Durability.use(io.pickbox.os.Durability.REAL);
        }
    }
}
