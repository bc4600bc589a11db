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

    /**
     * What a comparison of the folder with the index cost: the paths it walked, how many it found
     * out of step (handed on to be brought in step), its thread's CPU time and its duration.
     */
    public record ScanCost(long paths, long outOfStep, double cpuSeconds, double seconds) {}

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

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
    private volatile ScanCost lastFullScan;
    /** Null where there are no peers to fetch from (tests of one engine). */
    private final SmallFileCatchUp catchUp;

    public SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
                      Materializer materializer, Predicate<String> ignored, Settings settings) {
        this(nodeId, root, index, table, uploader, materializer, ignored, settings, null);
    }

    private SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
                       Materializer materializer, Predicate<String> ignored, Settings settings, BlobFetcher fetcher) {
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
        this.catchUp = fetcher == null ? null : new SmallFileCatchUp(index, fetcher::has, (path, entry) -> {
            LocalTable.Local row = table.get(path);
            return row != null && entry.sha256().equals(row.sha256());
        }, fetcher::fetchBatch);
    }

    public static SyncEngine create(String nodeId, Path root, Index index, LocalTable table, Proposer proposer,
                                    BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, ChunkPusher pusher,
                                    Predicate<String> ignored, Settings settings) {
        Uploader uploader = new Uploader(nodeId, index, proposer, h -> index.hasChunk(h) || blobs.has(h), pusher);
        return new SyncEngine(nodeId, root, index, table, uploader,
                new Materializer(root, blobs, staged, fetcher, uploader.transfers), ignored, settings, fetcher);
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

    /** Files this node read and hashed to compare or propose them, since it started. */
    public long filesRead() {
        return uploader.filesRead();
    }

    /** The watcher's reports of this node's own renames and deletions, recognised and not compared again. */
    public long echoesIgnored() {
        return materializer.own.echoesIgnored();
    }

    /** Large files being sent or written on this node right now. */
    public List<Transfers.Transfer> transfers() {
        return uploader.transfers.list();
    }

    /** Missing small files being fetched in batches: how many, and how many came. */
    public SmallFileCatchUp.Progress catchUp() {
        return catchUp == null ? SmallFileCatchUp.Progress.IDLE : catchUp.progress();
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
        if (writerDone && materializer.own.isEchoOfDelete(relPath)) return;
        scheduler.touchSoon(relPath, writerDone ? settings.debounceMillis() : settings.quietMillis());
    }

    @Override
    public void moved(String from, String to) {
        if (materializer.own.isEchoOfMove(from, to)) return;
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
            // Both paths are compared once the move is done: a change committed at them while the
            // move held them is skipped as this node's own when its entry names this node as origin.
            scheduler.runPair(from, to, () -> reconciler.moveCommitted(from, to), moved -> {
                scheduler.touch(from, 0);
                scheduler.touch(to, 0);
            });
        });
    }

    @Override
    public void reset() {
        if (catchUp != null) catchUp.begin();
        scheduler.onWorker(() -> scan(""));
    }

    /** Begins acting on changes: called once the index has caught up with what this node last synced. */
    public void start() {
        scheduler.start();
        if (catchUp != null) catchUp.begin();
        scanAll();
    }

    /** Compares every path known to the disk, the index or the local table (start-up and verify scans). */
    public void scanAll() {
        scheduler.onWorker(() -> scan(""));
    }

    /** A full comparison, as {@link #scanAll}; completes with what it cost. */
    public CompletableFuture<ScanCost> verify() {
        CompletableFuture<ScanCost> done = new CompletableFuture<>();
        scheduler.onWorker(() -> {
            try {
                done.complete(scan(""));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The last full comparison's cost; null before the first. */
    public ScanCost lastFullScan() {
        return lastFullScan;
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

    /**
     * Compares the folder below {@code relDir} with the index and the local table, and hands the
     * paths where they disagree to the scheduler; paths in step cost a stat and two lookups. The
     * walk streams: what it holds grows with the paths that disagree, not with the folder. Index
     * entries and rows whose path the walk did not meet are looked up one by one only when the
     * counts say some were not met.
     */
    private ScanCost scan(String relDir) {
        if (relDir.isEmpty()) guard.check();
        long startCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        java.util.Set<String> differ = new java.util.LinkedHashSet<>();
        long[] met = new long[3]; // paths walked; of them, with an index entry; with a row
        try {
            TreeScanner.scan(root, relDir, ignored, (p, st) -> {
                met[0]++;
                if (index.get(p) != null) met[1]++;
                if (table.get(p) != null) met[2]++;
                if (!reconciler.inStep(p, st)) differ.add(p);
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Scanning {} failed: {}", relDir, e.toString());
        }
        String prefix = relDir.isEmpty() ? "" : relDir + "/";
        // A full scan compares with the counts the index and the table keep (an ignored entry only
        // costs the walk below); a subtree's are counted.
        long indexed = relDir.isEmpty() ? index.size() : countUnder(relDir);
        if (indexed > met[1]) {
            index.forEach(relDir, (p, e) -> {
                if (!ignored.test(p) && !p.equals(relDir)) addIfAbsent(p, differ);
            });
        }
        long rows = relDir.isEmpty() ? table.size() : countRowsUnder(prefix);
        if (rows > met[2]) {
            table.forEach(prefix, (p, row) -> {
                if (!ignored.test(p)) addIfAbsent(p, differ);
            });
        }
        if (!relDir.isEmpty()) differ.add(relDir);
        scheduler.touchAll(differ);
        ScanCost cost = new ScanCost(met[0], differ.size(), (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e9,
                (System.nanoTime() - start) / 1e9);
        if (relDir.isEmpty()) lastFullScan = cost;
        return cost;
    }

    private long countUnder(String relDir) {
        long[] n = new long[1];
        index.forEach(relDir, (p, e) -> {
            if (!ignored.test(p) && !p.equals(relDir)) n[0]++;
        });
        return n[0];
    }

    private long countRowsUnder(String prefix) {
        long[] n = new long[1];
        table.forEach(prefix, (p, row) -> {
            if (!ignored.test(p)) n[0]++;
        });
        return n[0];
    }

    /** Adds {@code p} to {@code differ} when it is absent from the folder and not in step as such. */
    private void addIfAbsent(String p, java.util.Set<String> differ) {
        if (differ.contains(p)) return;
        FileStat st;
        try {
            st = FileStat.of(PathValidator.resolve(root, p));
        } catch (RuntimeException e) {
            differ.add(p);
            return;
        }
        if (st == null && !reconciler.inStep(p, null)) differ.add(p);
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
        if (catchUp != null) catchUp.close();
        scheduler.close();
        materializer.close();
        scheduler.awaitWorkers();
    }
}
