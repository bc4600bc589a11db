package io.pickbox.sync;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.folder.FileStat;
import io.pickbox.os.FolderDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Puts written temp files in place in groups. A burst of small files would otherwise cost two
 * flushes each (the file, then its directory); here every file waiting is made durable by one
 * flush and renamed into place, and the renames are made durable by the next flush, which also
 * carries the next group's data when more files are waiting (a burst then costs one flush per
 * group). A file is reported in place only once its rename is durable. Each file still appears
 * complete or not at all, and never over a local edit that is not committed yet.
 */
final class GroupCommit implements AutoCloseable {

    /** A verified temp file ({@code tmp}, relative to the folder, beside its target) waiting to replace {@code path}. */
    record Pending(String tmp, String path, Predicate<FileStat> stillOurs, CompletableFuture<FileStat> done) {}

    private static final int MAX_GROUP = 512;

    private final Path root;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    GroupCommit(Path root) {
        this.root = root;
        this.thread = new Thread(this::run, "pickbox-group-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes with the stat of the file in place, or fails (the temp file is then removed). */
    CompletableFuture<FileStat> commit(String tmp, String path, Predicate<FileStat> stillOurs) {
        Pending p = new Pending(tmp, path, stillOurs, new CompletableFuture<>());
        if (running) queue.add(p);
        else fail(p, new IOException("closing"));
        return p.done();
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        List<Pending> placed = new ArrayList<>();
        while (running) {
            try {
                // Renames waiting for their flush: take what else is queued, without waiting for more.
                Pending first = placed.isEmpty() ? queue.poll(1, TimeUnit.SECONDS) : queue.poll();
                if (first != null) {
                    group.add(first);
                    queue.drainTo(group, MAX_GROUP - 1);
                }
                if (group.isEmpty() && placed.isEmpty()) continue;
                // One flush makes the new group's data and the previous group's renames durable.
                boolean flushed = flush(group.stream().map(Pending::tmp).toList(), directoriesOf(placed));
                complete(placed);
                placed.clear();
                if (!flushed) {
                    group.forEach(p -> fail(p, new IOException("cannot flush " + p.path() + " to disk")));
                } else {
                    placeAll(group, placed);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                group.forEach(p -> fail(p, e));
            } finally {
                group.clear();
            }
        }
        if (!placed.isEmpty()) {
            flush(List.of(), directoriesOf(placed));
            complete(placed);
        }
        for (Pending p; (p = queue.poll()) != null; ) fail(p, new IOException("closing"));
    }

    private void placeAll(List<Pending> group, List<Pending> placed) {
        for (Pending p : group) {
            try (FolderDir dir = FolderDir.openParent(root, p.path())) {
                Materializer.place(dir, FolderDir.nameOf(p.tmp()), FolderDir.nameOf(p.path()), p.path(), p.stillOurs());
                placed.add(p);
            } catch (IOException | RuntimeException e) {
                fail(p, e);
            }
        }
    }

    private static List<String> directoriesOf(List<Pending> placed) {
        Set<String> dirs = new LinkedHashSet<>();
        for (Pending p : placed) dirs.add(FolderDir.parentOf(p.path()));
        return new ArrayList<>(dirs);
    }

    private void complete(List<Pending> placed) {
        for (Pending p : placed) {
            try {
                p.done().complete(FileStat.read(root, p.path()));
            } catch (IOException e) {
                p.done().completeExceptionally(e);
            }
        }
    }

    /** Makes the files and the directories' entries durable ({@link AtomicFiles#flush}); false if a file could not be flushed. */
    private boolean flush(List<String> files, List<String> directories) {
        try {
            AtomicFiles.flushFolder(root, files, directories);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void fail(Pending p, Throwable e) {
        // one left behind (its directory unreachable now) is removed with the other strays at the next start
        Materializer.deleteQuietly(root, p.tmp());
        p.done().completeExceptionally(e);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
