package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.PathValidator;
import io.pickbox.folder.TreeScanner;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.IndexListener;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.StagedFiles;
import io.pickbox.watch.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Keeps this node's folder and the index in step, both ways, by comparing the three trees
 * (index, disk, local table) for one path at a time.
 *
 * <p>Folder events and committed changes mark paths dirty in the {@link PathScheduler}, which hands
 * due paths to the {@link Reconciler} on worker threads, at most one job per tree at a time; what
 * to do is decided by {@link Reconciliation}. Full scans consult the {@link MassDeleteGuard}.
 * Changes that do not come from the folder go through the {@link ClusterWriter}.
 */
public final class SyncEngine implements ChangeListener, IndexListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    /** A blocked path: apply refused its change; skipped until the file changes again. */
    public record Blocked(String reason, FileStat stat) {}

    /**
     * @param massDeleteShare a scan that finds more than this share of synced files missing holds
     *                        the deletions (an unmounted or wiped folder is not "delete everything")
     */
    public record Settings(long debounceMillis, long quietMillis, long maxDelayMillis, double massDeleteShare,
                           boolean allowMassDelete) {
        /**
         * A closed file is read 1 ms after its writer's close: the read checks that the file held
         * still, and a change that follows (a tool setting the mtime after the close) is proposed
         * on its own. Reads of files still open wait for 100 ms of quiet, 2 s at most.
         */
        public static Settings defaults(boolean allowMassDelete) {
            return new Settings(1, 100, 2000, 0.5, allowMassDelete);
        }
    }

    private final String nodeId;
    private final Path root;
    private final Index index;
    private final LocalTable table;
    private final Uploader uploader;
    private final Materializer materializer;
    private final Predicate<String> ignored;
    private final Settings settings;

    private final PathProblems problems = new PathProblems();
    private final MassDeleteGuard guard;
    private final PathScheduler scheduler;
    private final Reconciler reconciler;
    private final ClusterWriter writer;
    private volatile SyncMetrics metrics = SyncMetrics.NONE;

    public SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
                      Materializer materializer, Predicate<String> ignored, Settings settings) {
        this.nodeId = nodeId;
        this.root = root;
        this.index = index;
        this.table = table;
        this.uploader = uploader;
        this.materializer = materializer;
        this.ignored = ignored;
        this.settings = settings;
        this.guard = new MassDeleteGuard(root, index, table, ignored, settings.massDeleteShare(), settings.allowMassDelete());
        this.scheduler = new PathScheduler(settings.maxDelayMillis(), ignored, this::committedSize, this::reconcile, problems);
        this.reconciler = new Reconciler(root, index, table, uploader, materializer,
                new Reconciliation(nodeId, settings.quietMillis()), problems, guard::holding, ignored, scheduler::touchSoon);
        this.writer = new ClusterWriter(nodeId, index, uploader);
    }

    public static SyncEngine create(String nodeId, Path root, Index index, LocalTable table, Proposer proposer,
                                    BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, ChunkPusher pusher,
                                    Predicate<String> ignored, Settings settings) {
        Uploader uploader = new Uploader(nodeId, index, proposer, h -> index.hasChunk(h) || blobs.has(h), pusher);
        return new SyncEngine(nodeId, root, index, table, uploader,
                new Materializer(root, blobs, staged, fetcher, uploader.transfers), ignored, settings);
    }

    /** Where rescans and deduplicated chunk bytes are counted. */
    public void setMetrics(SyncMetrics metrics) {
        this.metrics = metrics;
        uploader.setMetrics(metrics);
        metrics.backlog(new SyncMetrics.Backlog() {
            @Override
            public int inFlight() {
                return uploader.window.count();
            }

            @Override
            public long bytesInFlight() {
                return uploader.window.bytes();
            }

            @Override
            public int pathsWaiting() {
                return scheduler.waiting();
            }
        });
    }

    // ---------------------------------------------------------------- status

    /** Paths waiting to be compared or with a change in flight. */
    public int pendingCount() {
        return scheduler.pending();
    }

    /** Large files being sent or written on this node right now. */
    public List<Transfers.Transfer> transfers() {
        return uploader.transfers.list();
    }

    public Map<String, Blocked> blocked() {
        return problems.blocked();
    }

    public Map<String, String> problems() {
        return problems.problems();
    }

    /** Why {@code path} is, or is not, in step on this node. */
    public PathReport explain(String path) {
        FileStat disk;
        try {
            disk = FileStat.of(PathValidator.resolve(root, path));
        } catch (RuntimeException e) {
            disk = null;
        }
        return PathReport.of(problems.blockedAt(path), problems.problemAt(path), index.get(path), table.get(path), disk);
    }

    // ---------------------------------------------------------------- events in

    @Override
    public void changed(String relPath, boolean writerDone) {
        scheduler.touchSoon(relPath, writerDone ? settings.debounceMillis() : settings.quietMillis());
    }

    @Override
    public void moved(String from, String to) {
        scheduler.post(() -> startMove(from, to));
    }

    @Override
    public void rescan(String relDir) {
        metrics.rescan();
        LOG.info("Rescanning {}", relDir.isEmpty() ? "the whole folder" : relDir);
        scheduler.onWorker(() -> scan(relDir));
    }

    @Override
    public void changed(String path, Entry before, Entry after) {
        boolean ours = after != null && nodeId.equals(after.origin());
        scheduler.post(() -> {
            // This node's own change to a path it is proposing: its result updates the local table.
            if (ours && scheduler.inFlight(path)) return;
            scheduler.touch(path, 0);
        });
    }

    /** A committed rename: moving the files on disk beats writing them all again. */
    @Override
    public void renamed(String from, String to) {
        scheduler.post(() -> {
            if (!scheduler.started() || !scheduler.canRunPair(from, to)) return;
            scheduler.runPair(from, to, () -> reconciler.moveCommitted(from, to), moved -> {});
        });
    }

    @Override
    public void reset() {
        scheduler.onWorker(() -> scan(""));
    }

    /** Begins acting on changes: called once the index has caught up with what this node last synced. */
    public void start() {
        scheduler.start();
        scanAll();
    }

    /** Compares every path known to the disk, the index or the local table (start-up and verify scans). */
    public void scanAll() {
        scheduler.onWorker(() -> scan(""));
    }

    /**
     * How many files this node synced are gone from its folder, against how many it synced.
     * Called before start-up; every full scan counts again.
     */
    public int[] missingFiles() {
        return guard.missingFiles();
    }

    /** True when deleting {@code missing} of {@code synced} files needs --allow-mass-delete. */
    public boolean isMassDelete(int missing, int synced) {
        return guard.isMassDelete(missing, synced);
    }

    private void scan(String relDir) {
        if (relDir.isEmpty()) guard.check();
        List<String> paths = new ArrayList<>();
        try {
            TreeScanner.scan(root, relDir, ignored, (p, st) -> paths.add(p));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Scanning {} failed: {}", relDir, e.toString());
        }
        String prefix = relDir.isEmpty() ? "" : relDir + "/";
        for (var e : index.list(relDir)) paths.add(e.getKey());
        for (String p : table.paths()) if (prefix.isEmpty() || p.startsWith(prefix) || p.equals(relDir)) paths.add(p);
        if (!relDir.isEmpty()) paths.add(relDir);
        scheduler.touchAll(paths);
    }

    /** A rename seen by the watcher: proposed as one op when it can be, else both paths are compared. */
    private void startMove(String from, String to) {
        if (!scheduler.canRunPair(from, to)) {
            scheduler.touch(from, 0);
            scheduler.touch(to, 0);
            return;
        }
        scheduler.runPair(from, to, () -> reconciler.proposeMove(from, to), moved -> {
            scheduler.touch(from, 0);
            scheduler.touch(to, 0);
            if (Boolean.TRUE.equals(moved)) {
                for (var entry : index.list(to)) scheduler.touch(entry.getKey(), 0);
            }
        });
    }

    private long committedSize(String path) {
        Entry e = index.get(path);
        return e == null ? 0 : e.size();
    }

    private CompletableFuture<Long> reconcile(String path) {
        return reconciler.reconcile(path);
    }

    // ---------------------------------------------------------------- changes not made in the folder

    /** Commits files uploaded and deletes asked for through the admin API, and this node's announcement. */
    public ClusterWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        scheduler.close();
        materializer.close();
        scheduler.awaitWorkers();
    }
}
