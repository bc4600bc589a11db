package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.IndexListener;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.Placement;
import io.pickbox.transfer.StagedFiles;
import io.pickbox.watch.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** Names not replicated that the status report shows, and how long a lookup of them is shown again. */
    private static final int NAMES_NOT_REPLICATED_SHOWN = 20;
    private static final long NAMES_NOT_REPLICATED_TTL_NANOS = 5_000_000_000L;
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
         * on its own. A file still open for writing is read at its writer's close, or 2 s after its
         * first change if it stays open (a log, a database): a pause between a writer's truncate and
         * its write is no sign that it is done, and reading there would replicate a half-written
         * file. A read that finds the file changing is tried again after 100 ms.
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
    private final HistoryActions history;
    private volatile SyncMetrics metrics = SyncMetrics.NONE;
    private volatile ScanCost lastFullScan;
    /** The names not replicated as last looked up for the status report. */
    private volatile NamesShown namesShown;
    private final SmallFileCatchUp catchUp;
    /** False where there are no peers to fetch from (tests of one engine). */
    private final boolean fetchesFromPeers;

    /**
     * Paths the scheduler tracks at most for changes committed elsewhere: a few megabytes of
     * bookkeeping, and many times what the workers and a group commit take at once. Past it, the
     * folder catches up from the index ({@link SmallFileCatchUp#behind}).
     */
    static final int MAX_TRACKED = 16_384;
    /** Directories remembered for local changes the scheduler had no room for; past this many, the whole folder. */
    static final int BACKLOG_DIRECTORIES = 1_024;

    private final FolderBacklog backlog = new FolderBacklog(BACKLOG_DIRECTORIES);
    /** Paths a restore brings back at most in one group: an op's are written as several groups, side by side. */
    static final int RESTORED_GROUP = 4_096;
    /** Paths new to the index in the op being announced (apply thread), waiting for its end. */
    private final Map<String, Entry> newInOp = new LinkedHashMap<>();
    /** The directory rename whose changes are being announced (apply thread), null otherwise. */
    private Move announcedMove;
    /** Set while a walk of the backlog waits for room or runs. */
    private final java.util.concurrent.atomic.AtomicBoolean walkingBacklog = new java.util.concurrent.atomic.AtomicBoolean();

    public SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
                      Materializer materializer, Predicate<String> ignored, Settings settings) {
        this(nodeId, root, index, table, uploader, materializer, ignored, settings, null, MAX_TRACKED, DiskSpace.of(root));
    }

    /** As the public constructor, with the scheduler tracking at most {@code maxTracked} committed changes. */
    SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
               Materializer materializer, Predicate<String> ignored, Settings settings, int maxTracked) {
        this(nodeId, root, index, table, uploader, materializer, ignored, settings, null, maxTracked, DiskSpace.of(root));
    }

    /** As the public constructor, with the free space of the folder read from {@code space}. */
    SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
               Materializer materializer, Predicate<String> ignored, Settings settings, DiskSpace space) {
        this(nodeId, root, index, table, uploader, materializer, ignored, settings, null, MAX_TRACKED, space);
    }

    private SyncEngine(String nodeId, Path root, Index index, LocalTable table, Uploader uploader,
                       Materializer materializer, Predicate<String> ignored, Settings settings, BlobFetcher fetcher,
                       int maxTracked, DiskSpace space) {
        this.nodeId = nodeId;
        this.root = root;
        this.index = index;
        this.table = table;
        this.uploader = uploader;
        this.materializer = materializer;
        this.ignored = ignored;
        this.settings = settings;
        this.guard = new MassDeleteGuard(root, index, table, ignored, settings.massDeleteShare(), settings.allowMassDelete());
        this.scheduler = new PathScheduler(settings.maxDelayMillis(), maxTracked, ignored, this::committedSize, this::reconcile, problems);
        this.reconciler = new Reconciler(root, index, table, uploader, materializer,
                new Reconciliation(nodeId, settings.quietMillis()), problems, guard::holding, ignored, scheduler::touchSoon, space,
                new OldVersionKeeper(root, OldVersionKeeper.of(index), materializer.blobs()));
        this.writer = new ClusterWriter(nodeId, index, uploader);
        this.history = new HistoryActions(index, writer);
        // Without peers (one engine alone) every chunk counts as held: only the folder's catching up is left.
        this.catchUp = new SmallFileCatchUp(index, table, ignored, scheduler, fetcher == null ? h -> true : fetcher::has, (path, entry) -> {
            LocalTable.Local row = table.get(path);
            return row != null && entry.sha256().equals(row.sha256());
        }, fetcher == null ? (batch, turn) -> 0L : fetcher::fetchBatch, reconciler::writeNew);
        this.fetchesFromPeers = fetcher != null;
    }

    public static SyncEngine create(String nodeId, Path root, Index index, LocalTable table, Proposer proposer,
                                    BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, ChunkPusher pusher,
                                    Predicate<String> ignored, Settings settings) {
        return create(nodeId, root, index, table, proposer, blobs, staged, fetcher, pusher, ignored, settings, null);
    }

    /**
     * As above, keeping the small files this node deletes a while in {@code attic} (in the state
     * directory; null: none kept), so that a restore soon after moves them back.
     */
    public static SyncEngine create(String nodeId, Path root, Index index, LocalTable table, Proposer proposer,
                                    BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, ChunkPusher pusher,
                                    Predicate<String> ignored, Settings settings, Path attic) {
        Uploader uploader = new Uploader(nodeId, index, proposer, h -> index.hasChunk(h) || blobs.has(h), pusher);
        Attic kept = attic == null ? Attic.none() : Attic.open(attic, root);
        return new SyncEngine(nodeId, root, index, table, uploader,
                new Materializer(root, blobs, staged, fetcher, uploader.transfers, kept, chunk -> index.holdersOf(chunk, 4).stream()
                        .map(h -> new Placement(h.path(), (long) h.chunk() * Hashing.CHUNK_SIZE)).toList()),
                ignored, settings, fetcher, MAX_TRACKED,
                DiskSpace.of(root));
    }

    /** Where rescans and deduplicated chunk bytes are counted. */
    public void setMetrics(SyncMetrics metrics) {
        this.metrics = metrics;
        uploader.setMetrics(metrics);
        materializer.metrics = metrics;
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

            @Override
            public Stalls stalls() {
                return SyncEngine.this.stalls();
            }
        });
    }

    /** Runs {@code task} on the scheduler's loop thread, after what was posted before it (tests hold the loop with it). */
    void onLoop(Runnable task) {
        scheduler.post(task);
    }

    // ---------------------------------------------------------------- status

    /**
     * Paths waiting to be compared or with a change in flight; one more while the folder is behind
     * the index on paths not handed to the scheduler yet, and one more while it has changes in
     * directories not walked yet.
     */
    public int pendingCount() {
        return scheduler.pending() + (catchUp.isBehind() ? 1 : 0) + (walkingBacklog.get() || !backlog.isEmpty() ? 1 : 0);
    }

    /** The most paths the scheduler held at once so far. */
    int mostPending() {
        return scheduler.mostPending();
    }

    /** Files this node read and hashed to compare or propose them, since it started. */
    public long filesRead() {
        return uploader.filesRead();
    }

    /** Files this node wrote into its folder many at a time (catching up with the index, restoring a tree), since it started. */
    public long filesWrittenInGroups() {
        return materializer.writtenInGroups.get();
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
        return fetchesFromPeers ? catchUp.progress() : SmallFileCatchUp.Progress.IDLE;
    }

    public Map<String, Blocked> blocked() {
        return problems.blocked();
    }

    public Map<String, String> problems() {
        return problems.problems();
    }

    /**
     * Paths whose committed version waits to be written into the folder because of the disk: for
     * space (with the bytes they need), or for permission.
     */
    public record Stalls(int pathsWaitingForSpace, long bytesWaitingForSpace, int pathsPermissionDenied) {
        public static final Stalls NONE = new Stalls(0, 0, 0);
    }

    public Stalls stalls() {
        PathWaits w = problems.waits();
        return new Stalls(w.count(PathWaits.Kind.SPACE), w.bytes(PathWaits.Kind.SPACE), w.count(PathWaits.Kind.PERMISSION));
    }

    /** Why {@code path} is, or is not, in step on this node. */
    public PathReport explain(String path) {
        FileStat disk;
        try {
            disk = FileStat.of(root, path);
        } catch (RuntimeException e) {
            disk = null;
        }
        return PathReport.of(problems.blockedAt(path), problems.problemAt(path), problems.waitingAt(path), index.get(path), table.get(path), disk);
    }

    // ---------------------------------------------------------------- events in

    @Override
    public void changed(String relPath, boolean writerDone) {
        if (writerDone && materializer.own.isEchoOfDelete(relPath)) return;
        long delay = writerDone ? settings.debounceMillis() : settings.maxDelayMillis();
        scheduler.post(() -> takeLocal(relPath, delay));
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
        walkLater(relDir, null);
    }

    @Override
    public void changed(String path, Entry before, Entry after) {
        Move move = announcedMove;
        if (move != null && move.covers(path)) return; // the move, and the walk after it, bring it in step
        if (before == null && after != null && Materializer.writableAsNew(after)) {
            // New here: the op's end tells whether it brought many at once (a restore of a tree).
            synchronized (newInOp) {
                newInOp.put(path, after);
            }
            return;
        }
        offer(path, after);
    }

    /** Hands {@code path} to the scheduler, or to the catch-up when the scheduler has no room. */
    private void offer(String path, Entry after) {
        boolean ours = after != null && nodeId.equals(after.origin());
        // This node's own change to a path it is proposing: its result updates the local table.
        boolean offered = scheduler.offer(path, p -> !(ours && scheduler.inFlight(p)));
        if (!offered) catchUp.behind(path);
    }

    /**
     * The op whose changes were just announced is applied. The new directories and small files a
     * restore brought back are put in place as groups ({@link Reconciler#writeNew}: temp files, one
     * flush, renames, one flush, the local table in one write), as a node catching up writes them,
     * not one by one; their contents are in the blob store already (the history keeps them), or
     * fetched in one request. Any other op's new paths are looked at one by one, as before.
     */
    @Override
    public void applied(long logIndex, Op op, Result result) {
        announcedMove = null;
        Map<String, Entry> fresh;
        synchronized (newInOp) {
            if (newInOp.isEmpty()) return;
            if (!(op instanceof Op.Restore) || newInOp.size() == 1) {
                newInOp.forEach(this::offer);
                newInOp.clear();
                return;
            }
            fresh = new LinkedHashMap<>(newInOp);
            newInOp.clear();
        }
        // The directories first, as groups of their own: the files wait for the directories above
        // them (a group meeting another's directory waits for it), not for the files of the op before.
        List<String> directories = new ArrayList<>(), files = new ArrayList<>();
        fresh.forEach((p, e) -> (e.isDir() ? directories : files).add(p));
        offerGroups(directories);
        offerGroups(files);
    }

    /** Offers {@code paths} to be written as groups; without room, the catch-up finds them again from the index (as groups too). */
    private void offerGroups(List<String> paths) {
        int size = Math.max(1, Math.min(RESTORED_GROUP, scheduler.maxTracked() / 4));
        for (int from = 0; from < paths.size(); from += size) {
            List<String> group = new ArrayList<>(paths.subList(from, Math.min(paths.size(), from + size)));
            if (!scheduler.offerGroup(group, reconciler::writeNew)) group.forEach(catchUp::behind);
        }
    }

    /** A committed rename: moving the files on disk beats writing them all again. */
    @Override
    public void renamed(String from, String to) {
        Entry moved = index.get(to);
        boolean tree = moved != null && moved.isDir();
        // The paths a directory's rename moved are not looked at one by one (ten thousand jobs that
        // find them in step): once the directory is moved, a walk of it finds what differs (a file
        // edited here meanwhile); when it cannot be moved, walks of both write it where it now is.
        if (tree) announcedMove = new Move(from, to);
        // The room is kept now: the paths the op moved, offered one by one right after this (a
        // file's rename), would take it all when there are more of them than the scheduler tracks.
        boolean posted = scheduler.postWithRoom(2, () -> {
            if (!scheduler.started()) return; // its start compares every path
            if (!scheduler.canRunPair(from, to)) {
                if (tree) walkBoth(from, to);
                return;
            }
            // Both paths are compared once the move is done: a change committed at them while the
            // move held them is skipped as this node's own when its entry names this node as origin.
            scheduler.runPair(from, to, () -> reconciler.moveCommitted(from, to), done -> {
                scheduler.touch(from, 0);
                scheduler.touch(to, 0);
                if (!tree) return;
                if (Boolean.TRUE.equals(done)) walkLater(to, null);
                else walkBoth(from, to);
            });
        });
        if (!posted && tree) walkBoth(from, to);
    }

    private void walkBoth(String from, String to) {
        walkLater(from, null);
        walkLater(to, null);
    }

    /** A committed rename of a directory: the paths below either end. */
    private record Move(String from, String to) {
        boolean covers(String path) {
            return path.startsWith(from + "/") || path.startsWith(to + "/");
        }
    }

    @Override
    public void reset() {
        if (fetchesFromPeers) catchUp.begin();
        scheduler.onWorker(() -> scan(""));
    }

    /** Begins acting on changes: called once the index has caught up with what this node last synced. */
    public void start() {
        scheduler.start();
        if (fetchesFromPeers) catchUp.begin();
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

    /**
     * Names in the folder that cannot be replicated, the newest first, and why: at most
     * {@value #NAMES_NOT_REPLICATED_SHOWN}, looked up at most every few seconds (each costs a
     * listing of its directory).
     */
    public Map<String, String> namesNotReplicated() {
        long now = System.nanoTime();
        NamesShown shown = namesShown;
        if (shown == null || now - shown.atNanos() > NAMES_NOT_REPLICATED_TTL_NANOS) {
            shown = new NamesShown(io.pickbox.folder.SkippedNames.current(root, NAMES_NOT_REPLICATED_SHOWN), now);
            namesShown = shown;
        }
        return shown.names();
    }

    private record NamesShown(Map<String, String> names, long atNanos) {}

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
     * paths where they disagree to the scheduler. The three trees are walked side by side
     * ({@link FolderJoin}): a path in step costs one stat and sequential reads of the store. What
     * a walk holds is bounded, however much changed: where only the index moved on (a node joining,
     * or one long gone), the path is offered to the scheduler within its bound, and past it found
     * again from the index by {@link SmallFileCatchUp#behind}; local changes are taken as far as the
     * scheduler has room, and the walk of the rest is left to the {@link FolderBacklog}. A full
     * scan also counts the synced files missing from the folder for the {@link MassDeleteGuard};
     * their deletions are decided once the count is known.
     */
    private ScanCost scan(String relDir) {
        return scan(relDir, null);
    }

    /** As {@link #scan(String)}, from {@code from} on (inclusive; null: from the first path). */
    private ScanCost scan(String relDir, String from) {
        long startCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        // A whole comparison walks on past what it takes, to count for the guard; any other stops there.
        boolean counts = relDir.isEmpty() && from == null;
        int limit = Math.max(scheduler.maxLocal() - scheduler.tracked(), scheduler.maxTracked() / 4);
        Set<String> differ = new LinkedHashSet<>();
        MassDeleteGuard.Count count = new MassDeleteGuard.Count();
        List<String> missing = new ArrayList<>();
        // The first path left to a later walk: a local change past the limit, a missing file past those remembered.
        String[] leftFrom = new String[1], missingFrom = new String[1];
        long[] onDisk = new long[1];
        long[] committed = new long[1];
        try {
            FolderJoin.run(root, relDir, from, ignored, index, table, (p, walked, row, entry) -> {
                FileStat disk = walked;
                if (walked != null) {
                    onDisk[0]++;
                } else {
                    // Not met on the walk: created since it passed, or where the walk does not go.
                    try {
                        disk = FileStat.of(root, p);
                    } catch (RuntimeException e) {
                        return take(p, differ, limit, leftFrom) || counts;
                    }
                }
                count.add(disk, row, entry);
                if (counts && MassDeleteGuard.isMissing(disk, row, entry)) {
                    if (missing.size() < MISSING_REMEMBERED) missing.add(p);
                    else if (missingFrom[0] == null) missingFrom[0] = p;
                    return true;
                }
                if (reconciler.inStep(p, disk, row, entry)) return true;
                if (onlyCommittedChanged(disk, row)) {
                    committed[0]++;
                    if (!scheduler.offer(p, q -> true)) catchUp.behind(p);
                    return true;
                }
                return take(p, differ, limit, leftFrom) || counts;
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Scanning {} failed: {}", relDir, e.toString());
        }
        if (counts) guard.update(count);
        for (String p : missing) {
            if (!reconciler.inStep(p, null)) differ.add(p);
        }
        if (!relDir.isEmpty() && from == null) differ.add(relDir);
        scheduler.touchAll(differ);
        // After the paths taken, so that the next walk sees the room they take.
        // Held deletions past those remembered are not looked at: the guard reports them all at once.
        if (missingFrom[0] != null && !guard.holding()) walkLater(relDir, missingFrom[0]);
        if (leftFrom[0] != null) walkLater(relDir, leftFrom[0]);
        ScanCost cost = new ScanCost(onDisk[0], committed[0] + differ.size(), (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e9,
                (System.nanoTime() - start) / 1e9);
        if (counts) lastFullScan = cost;
        return cost;
    }

    /** Missing files a full scan holds by path at most until it has counted them all. */
    static final int MISSING_REMEMBERED = 1_000;

    /** Adds {@code path} to {@code differ} if it has room; else notes the first path left out, and says stop. */
    private static boolean take(String path, Set<String> differ, int limit, String[] leftFrom) {
        if (differ.size() < limit) {
            differ.add(path);
            return true;
        }
        if (leftFrom[0] == null) leftFrom[0] = path;
        return false;
    }

    /**
     * Whether the folder holds at a path what this node last wrote there (or nothing, and it wrote
     * nothing there): what is left to do there comes from the index, and a walk of the index and
     * the local table finds it again ({@link SmallFileCatchUp#behind}). Such paths are offered to the
     * scheduler within its bound, as changes committed elsewhere are.
     */
    private static boolean onlyCommittedChanged(FileStat disk, LocalTable.Local row) {
        if (disk == null) return row == null;
        return row != null && disk.kind() == FileStat.Kind.FILE && disk.sameAs(row.stat());
    }

    // ---------------------------------------------------------------- local changes past the bound

    /**
     * A change seen in the folder, or a path to compare again: tracked if the scheduler has room,
     * else remembered by its directory, which is walked again once there is room. Loop thread.
     */
    private void takeLocal(String path, long delayMillis) {
        if (scheduler.touchIfRoom(path, delayMillis)) return;
        backlog.changed(path);
        walkBacklog();
    }

    /** Everything below {@code relDir} from {@code from} on is looked at by a later walk. */
    private void walkLater(String relDir, String from) {
        backlog.add(relDir, from);
        walkBacklog();
    }

    /**
     * Walks the directories in the backlog one at a time, each once the scheduler has room for a
     * good number of local changes: a walk takes what fits, and leaves the rest of its directory
     * to the next one.
     */
    private void walkBacklog() {
        if (backlog.isEmpty() || !walkingBacklog.compareAndSet(false, true)) return;
        scheduler.whenAtMost(scheduler.maxLocal() - scheduler.maxTracked() / 2).thenRun(() -> scheduler.onWorker(() -> {
            try {
                FolderBacklog.Walk w = backlog.take();
                if (w != null) scan(w.dir(), w.from());
            } catch (RuntimeException e) {
                LOG.warn("Looking at the changes in the folder failed: {}", e.toString());
            } finally {
                walkingBacklog.set(false);
                walkBacklog();
            }
        }));
    }

    /**
     * A rename seen by the watcher: proposed as one op when it can be (once the jobs in flight in
     * either tree are done), else both paths are compared. Taken apart, a directory's rename is a
     * delete of the old tree and new files in the new one: a change committed elsewhere inside it
     * meanwhile would stay behind at the old path, instead of moving with the directory.
     */
    private void startMove(String from, String to) {
        boolean asked = scheduler.runPairOnceFree(from, to, () -> reconciler.proposeMove(from, to), moved -> {
            takeLocal(from, 0);
            takeLocal(to, 0);
            if (Boolean.TRUE.equals(moved)) {
                index.forEach(to, (p, e) -> takeLocal(p, 0));
            }
            lookThroughMovedDirectory(to);
        });
        if (!asked) {
            takeLocal(from, 0);
            takeLocal(to, 0);
            lookThroughMovedDirectory(to);
        }
    }

    /**
     * A directory moved here may hold files the cluster never saw (made just before the move,
     * their own changes looked at under the old name and found absent): walk it. Files the
     * cluster knows compare equal to their moved rows, at the cost of a stat each.
     */
    private void lookThroughMovedDirectory(String to) {
        FileStat st = FileStat.of(root, to);
        if (st != null && st.kind() == FileStat.Kind.DIR) walkLater(to, null);
    }

    /** Milliseconds until {@code path} is looked at, -1 when it is not waiting; for tests. */
    CompletableFuture<Long> dueInMillis(String path) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        scheduler.post(() -> f.complete(scheduler.dueInMillis(path)));
        return f;
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
    /** Restores and history settings. */
    public HistoryActions history() {
        return history;
    }

    public ClusterWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        catchUp.close();
        scheduler.close();
        materializer.close();
        scheduler.awaitWorkers();
    }
}
