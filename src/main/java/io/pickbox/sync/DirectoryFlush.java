package io.pickbox.sync;

import io.pickbox.os.Durability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Makes renames and deletions in the folder durable in groups. A committed rename or delete is
 * carried out at once and its directory flushed with every other one asked for meanwhile: a
 * hundred renames in one directory cost a few flushes instead of two hundred, and no worker waits
 * for a disk in the meantime. The first request of a quiet spell is flushed at once; those arriving
 * during a flush share the next one. Whoever asked learns when its change is durable, and only then
 * records it in the local table.
 */
final class DirectoryFlush implements AutoCloseable {

    private record Request(Path directory, CompletableFuture<Void> done) {}

    private final Consumer<Path> fsync;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    DirectoryFlush() {
        this(DirectoryFlush::fsync);
    }

    /** {@code fsync} makes one directory's entries durable. */
    DirectoryFlush(Consumer<Path> fsync) {
        this.fsync = fsync;
        this.thread = new Thread(this::run, "pickbox-directory-flush");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once the entries of every one of {@code directories} are durable. */
    CompletableFuture<Void> flush(Path... directories) {
        Set<Path> distinct = new LinkedHashSet<>(List.of(directories));
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Path d : distinct) {
            Request r = new Request(d, new CompletableFuture<>());
            all.add(r.done());
            queue.add(r);
            // Closed meanwhile: the thread may have drained the queue for the last time already.
            if (!running && queue.remove(r)) r.done().completeExceptionally(new IOException("closing"));
        }
        return all.size() == 1 ? all.get(0) : CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private void run() {
        List<Request> group = new ArrayList<>();
        while (running) {
            try {
                Request first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) continue;
                group.add(first);
                queue.drainTo(group);
                Set<Path> directories = new LinkedHashSet<>();
                for (Request r : group) directories.add(r.directory());
                directories.forEach(fsync);
                group.forEach(r -> r.done().complete(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                group.forEach(r -> r.done().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
        for (Request r; (r = queue.poll()) != null; ) r.done().completeExceptionally(new IOException("closing"));
    }

    /** Fails when the entries could not be made durable: the change is then not recorded as done. */
    private static void fsync(Path dir) {
        try {
            Durability.current().forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the entries of " + dir + " durable", e);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
