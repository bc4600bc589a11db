package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.PathValidator;
import io.pickbox.folder.TreeScanner;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.IndexListener;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.sync.LocalTable.Local;
import io.pickbox.watch.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Keeps this node's folder and the index in step, both ways, by comparing the three trees
 * (index, disk, local table) for one path at a time.
 *
 * <p>One scheduler thread owns the bookkeeping (which paths are dirty, when they are due, which
 * are busy); the comparison and its I/O run on worker threads, at most one per path at a time,
 * so a path never has two proposals or writes in flight.
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

    /** Below this many synced files the mass-delete guard does not apply. */
    private static final int MASS_DELETE_MIN_FILES = 20;
    private volatile boolean holdDeletes;

    private final String nodeId;
    private final Path root;
    private final Index index;
    private final LocalTable table;
    private final Uploader uploader;
    private final Materializer materializer;
    private final Predicate<String> ignored;
    private final Settings settings;

    private final EventLoop loop = new EventLoop("pickbox-sync");
    private static final int WORKERS = 4;
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, daemon("pickbox-sync-worker"));

    // Owned by the loop thread.
    private final Map<String, Long> firstDirty = new HashMap<>();
    private final Map<String, Long> due = new HashMap<>();
    /** When the one timer of a dirty path goes off. */
    private final Map<String, Long> timerAt = new HashMap<>();
    private final TreeSet<String> busy = new TreeSet<>();
    private final Set<String> deferred = new LinkedHashSet<>();
    /** Fired paths not handed to a worker yet. */
    private final List<String> ready = new ArrayList<>();

    private final Map<String, Blocked> blocked = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final Set<String> reportedSymlinks = ConcurrentHashMap.newKeySet();
    private volatile int pending;
    private volatile SyncMetrics metrics = SyncMetrics.NONE;
    private volatile boolean running = true;
    /** Until started (the index has caught up with the local table), due paths only accumulate. */
    private volatile boolean started;

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
    }

    public static SyncEngine create(String nodeId, Path root, Index index, LocalTable table, Proposer proposer,
                                    io.pickbox.transfer.BlobStore blobs, io.pickbox.transfer.StagedFiles staged,
                                    io.pickbox.transfer.BlobFetcher fetcher, io.pickbox.transfer.ChunkPusher pusher,
                                    Predicate<String> ignored, Settings settings) {
        Uploader uploader = new Uploader(nodeId, index, proposer, h -> index.hasChunk(h) || blobs.has(h), pusher);
        return new SyncEngine(nodeId, root, index, table, uploader,
                new Materializer(root, blobs, staged, fetcher, uploader.transfers), ignored, settings);
    }

    /** Where rescans and deduplicated chunk bytes are counted. */
    public void setMetrics(SyncMetrics metrics) {
        this.metrics = metrics;
        uploader.setMetrics(metrics);
    }

    // ---------------------------------------------------------------- status

    /** Paths waiting to be compared or with a change in flight. */
    public int pendingCount() {
        return pending;
    }

    /** Large files being sent or written on this node right now. */
    public List<Transfers.Transfer> transfers() {
        return uploader.transfers.list();
    }

    public Map<String, Blocked> blocked() {
        return Map.copyOf(blocked);
    }

    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    // ---------------------------------------------------------------- events in

    @Override
    public void changed(String relPath, boolean writerDone) {
        post(() -> touch(relPath, writerDone ? settings.debounceMillis() : settings.quietMillis()));
    }

    @Override
    public void moved(String from, String to) {
        post(() -> startMove(from, to));
    }

    @Override
    public void rescan(String relDir) {
        metrics.rescan();
        LOG.info("Rescanning {}", relDir.isEmpty() ? "the whole folder" : relDir);
        workers.execute(() -> scan(relDir));
    }

    @Override
    public void changed(String path, Entry before, Entry after) {
        boolean ours = after != null && nodeId.equals(after.origin());
        post(() -> {
            // This node's own change to a path it is proposing: its result updates the local table.
            if (ours && busy.contains(path)) return;
            touch(path, 0);
        });
    }

    /** A committed rename: moving the files on disk beats writing them all again. */
    @Override
    public void renamed(String from, String to) {
        post(() -> startRemoteMove(from, to));
    }

    @Override
    public void reset() {
        workers.execute(() -> scan(""));
    }

    /** Begins acting on changes: called once the index has caught up with what this node last synced. */
    public void start() {
        post(() -> {
            started = true;
            largestFirst(due.keySet()).forEach(p -> touch(p, 0));
        });
        scanAll();
    }

    /** Compares every path known to the disk, the index or the local table (start-up and verify scans). */
    public void scanAll() {
        workers.execute(() -> scan(""));
    }

    /**
     * How many files this node synced are gone from its folder, against how many it synced.
     * Called before start-up and on every full scan.
     */
    public int[] missingFiles() {
        int synced = 0, missing = 0;
        for (String p : table.paths()) {
            Local l = table.get(p);
            if (l == null || l.sha256() == null || ignored.test(p)) continue;
            synced++;
            Entry idx = index.get(p);
            if (idx != null && stillSynced(l, idx) && FileStat.of(PathValidator.resolve(root, p)) == null) missing++;
        }
        return new int[] {missing, synced};
    }

    /** True when deleting {@code missing} of {@code synced} files needs --allow-mass-delete. */
    public boolean isMassDelete(int missing, int synced) {
        return !settings.allowMassDelete() && synced >= MASS_DELETE_MIN_FILES && missing > settings.massDeleteShare() * synced;
    }

    private void scan(String relDir) {
        if (relDir.isEmpty()) {
            int[] m = missingFiles();
            boolean hold = isMassDelete(m[0], m[1]);
            if (hold && !holdDeletes) {
                LOG.error("{} of {} synced files are missing from the folder: holding these deletions "
                        + "(restart with --allow-mass-delete if they are intended)", m[0], m[1]);
            }
            holdDeletes = hold;
        }
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
        post(() -> largestFirst(paths).forEach(p -> touch(p, 0)));
    }

    private List<String> largestFirst(java.util.Collection<String> paths) {
        return largestFirst(paths, p -> {
            Entry e = index.get(p);
            return e == null ? 0 : e.size();
        });
    }

    /**
     * The paths, largest first, in their order otherwise: a large file's chunks are then fetched
     * alongside the many small files a joining or restarted node writes, not after them.
     */
    static List<String> largestFirst(java.util.Collection<String> paths, java.util.function.ToLongFunction<String> size) {
        Map<String, Long> sizes = new HashMap<>();
        for (String p : paths) sizes.computeIfAbsent(p, size::applyAsLong);
        List<String> order = new ArrayList<>(paths);
        order.sort(java.util.Comparator.comparingLong(sizes::get).reversed());
        return order;
    }

    // ---------------------------------------------------------------- scheduling (loop thread)

    private void post(Runnable r) {
        if (running) loop.post(r);
    }

    private void touch(String path, long delayMillis) {
        if (ignored.test(path) || !PathValidator.isValid(path)) return;
        long now = System.currentTimeMillis();
        long first = firstDirty.computeIfAbsent(path, p -> now);
        long when = Math.min(now + delayMillis, first + settings.maxDelayMillis());
        due.put(path, when);
        pending = due.size() + busy.size();
        arm(path, when, now);
    }

    /** Sets a timer for {@code path} at {@code when}, unless one is set at that time or sooner. */
    private void arm(String path, long when, long now) {
        Long armed = timerAt.get(path);
        if (armed != null && armed <= when) return;
        timerAt.put(path, when);
        loop.schedule(() -> {
            if (timerAt.remove(path, when)) fire(path);
        }, when - now);
    }

    private void fire(String path) {
        Long when = due.get(path);
        if (!started || when == null) return;
        long now = System.currentTimeMillis();
        if (when > now) {
            arm(path, when, now); // pushed back by a later event
            return;
        }
        if (isBusy(path)) {
            deferred.add(path);
            return;
        }
        due.remove(path);
        firstDirty.remove(path);
        busy.add(path);
        if (ready.isEmpty()) post(this::dispatchReady);
        ready.add(path);
    }

    /**
     * Hands the paths that fell due together to the workers: up to one task per worker, each taking
     * the next path until none is left. A burst then costs a few wake-ups instead of one per file
     * (which cost more than the comparison itself), and a large file keeps one worker while the
     * others go on with the rest.
     */
    private void dispatchReady() {
        java.util.Queue<String> paths = new java.util.concurrent.ConcurrentLinkedQueue<>(ready);
        int tasks = Math.min(WORKERS, ready.size());
        ready.clear();
        if (!running) return;
        for (int i = 0; i < tasks; i++) {
            workers.execute(() -> {
                for (String p; (p = paths.poll()) != null; ) reconcileAndReport(p);
            });
        }
    }

    private void reconcileAndReport(String path) {
        CompletableFuture.completedFuture(path).thenCompose(this::reconcile)
                .whenComplete((retryIn, e) -> post(() -> done(List.of(path), e, retryIn)));
    }

    private void done(List<String> paths, Throwable error, Long retryIn) {
        paths.forEach(busy::remove);
        // Changes seen meanwhile keep the time their events asked for (a writer still at work keeps
        // pushing it back), and a retry delay asked for below wins over them: a file being written
        // is not read again and again while its writer is at it.
        List<String> waiting = new ArrayList<>(deferred);
        deferred.clear();
        long now = System.currentTimeMillis();
        for (String p : waiting) {
            Long when = due.get(p);
            if (when != null) arm(p, when, now);
        }
        pending = due.size() + busy.size();
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.warn("Syncing {} failed, will retry: {}", paths, cause.toString());
            paths.forEach(p -> problems.put(p, cause.toString()));
            paths.forEach(p -> touch(p, 1000));
        } else if (retryIn != null && retryIn >= 0) {
            paths.forEach(p -> touch(p, retryIn));
        }
    }

    /** A path is busy if it, an ancestor or a descendant has work in flight. */
    private boolean isBusy(String path) {
        if (busy.contains(path)) return true;
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            if (busy.contains(path.substring(0, i))) return true;
        }
        return !busy.subSet(path + "/", path + "0").isEmpty();
    }

    private void startMove(String from, String to) {
        if (isBusy(from) || isBusy(to) || ignored.test(from) || ignored.test(to)) {
            touch(from, 0);
            touch(to, 0);
            return;
        }
        busy.add(from);
        busy.add(to);
        CompletableFuture.supplyAsync(() -> proposeMove(from, to), workers)
                .thenCompose(f -> f)
                .whenComplete((moved, e) -> post(() -> {
                    done(List.of(from, to), e, null);
                    touch(from, 0);
                    touch(to, 0);
                    if (Boolean.TRUE.equals(moved)) {
                        for (var entry : index.list(to)) touch(entry.getKey(), 0);
                    }
                }));
    }

    private void startRemoteMove(String from, String to) {
        if (!started || isBusy(from) || isBusy(to) || ignored.test(from) || ignored.test(to)) return;
        busy.add(from);
        busy.add(to);
        CompletableFuture.supplyAsync(() -> {
            try {
                return materializer.move(from, to, table);
            } catch (IOException e) {
                LOG.debug("Moving {} to {} on disk failed, writing instead: {}", from, to, e.toString());
                return false;
            }
        }, workers).whenComplete((moved, e) -> post(() -> done(List.of(from, to), e, null)));
    }

    // ---------------------------------------------------------------- the three-tree comparison (workers)

    private static final CompletableFuture<Long> DONE = CompletableFuture.completedFuture(null);

    private static CompletableFuture<Long> retryIn(long millis) {
        return CompletableFuture.completedFuture(millis);
    }

    /** Compares index, disk and local table for {@code path} and acts. Completes with a retry delay, or null. */
    private CompletableFuture<Long> reconcile(String path) {
        if (!running) return DONE;
        Path abs = PathValidator.resolve(root, path);
        FileStat disk = FileStat.of(abs);
        Local local = table.get(path);
        Entry idx = index.get(path);

        Blocked b = blocked.get(path);
        if (b != null) {
            boolean unchanged = disk == null ? b.stat() == null : b.stat() != null && disk.sameAs(b.stat());
            if (unchanged) return DONE;
            blocked.remove(path);
        }
        problems.remove(path);
        try {
            if (disk == null) return onAbsent(path, local, idx);
            return switch (disk.kind()) {
                case FILE -> onFile(path, disk, local, idx);
                case DIR -> onDirectory(path, disk, local, idx);
                case SYMLINK -> {
                    if (reportedSymlinks.add(path)) LOG.info("Not replicating symlink {} (symlinks are skipped)", path);
                    yield DONE;
                }
            };
        } catch (Materializer.LocalEditInTheWay e) {
            LOG.debug("{}; proposing it first", e.getMessage());
            return retryIn(0);
        } catch (IOException e) {
            problems.put(path, e.getMessage());
            LOG.warn("Cannot bring {} up to date: {}", path, e.getMessage());
            return retryIn(1000);
        }
    }

    private CompletableFuture<Long> onAbsent(String path, Local local, Entry idx) throws IOException {
        if (local == null) {
            return idx == null ? DONE : materialize(path, idx);
        }
        if (idx == null) {
            table.remove(path);
            return DONE;
        }
        if (stillSynced(local, idx)) {
            if (holdDeletes && local.sha256() != null) {
                problems.put(path, "deletion held by the mass-delete guard");
                return DONE;
            }
            // The user deleted it.
            if (idx.isDir()) {
                long seen = idx.version();
                for (String p : table.paths()) {
                    Local below = p.startsWith(path + "/") ? table.get(p) : null;
                    if (below != null) seen = Math.max(seen, baseOf(below, index.get(p)));
                }
                return propose(path, new Op.Delete(origin(), path, idx.version(), seen), null, null);
            }
            return propose(path, new Op.Delete(origin(), path, idx.version(), idx.version()), null, null);
        }
        // Deleted here, changed elsewhere: the change wins.
        table.remove(path);
        return materialize(path, idx);
    }

    private CompletableFuture<Long> onFile(String path, FileStat disk, Local local, Entry idx) throws IOException {
        boolean unchanged = local != null && local.sha256() != null && disk.sameAs(local.stat());
        if (!unchanged) return hashAndPropose(path, local);
        if (idx == null) {
            // Deleted elsewhere, untouched here.
            if (materializer.deleteFile(path, st -> st.sameAs(local.stat()))) table.remove(path);
            return DONE;
        }
        if (idx.version() == local.version()) return DONE;
        if (idx.isFile() && idx.sha256().equals(local.sha256())) {
            FileStat st = disk;
            if (idx.mode() != disk.mode() || idx.mtime() != disk.mtimeMillis()) st = materializer.updateMeta(path, idx);
            table.put(path, new Local(idx.version(), idx.sha256(), st));
            return DONE;
        }
        if (idx.isDir()) {
            if (materializer.deleteFile(path, st -> st.sameAs(local.stat()))) table.remove(path);
            return retryIn(0);
        }
        return materialize(path, idx);
    }

    private CompletableFuture<Long> onDirectory(String path, FileStat disk, Local local, Entry idx) throws IOException {
        if (idx != null && idx.isDir()) {
            if (local == null || local.version() != idx.version() || local.stat().kind() != FileStat.Kind.DIR) {
                table.put(path, new Local(idx.version(), null, disk));
            }
            return DONE;
        }
        if (idx == null && local != null && local.stat().kind() == FileStat.Kind.DIR) {
            // Deleted elsewhere: children go first (each on its own merits), then the directory.
            if (materializer.deleteEmptyDirectory(path)) {
                table.remove(path);
                return DONE;
            }
            List<String> children = new ArrayList<>();
            TreeScanner.scan(root, path, ignored, (p, st) -> children.add(p));
            boolean anyTracked = children.stream().anyMatch(p -> table.get(p) != null);
            if (!anyTracked) {
                table.remove(path); // only untracked content left: it will be proposed, with its directory
                children.forEach(p -> post(() -> touch(p, 0)));
                return retryIn(0);
            }
            children.forEach(p -> post(() -> touch(p, 0)));
            return retryIn(100);
        }
        if (idx == null) {
            return propose(path, new Op.Mkdir(origin(), path, disk.mode(), disk.mtimeMillis()), null, null);
        }
        problems.put(path, "a directory is in the way of the committed file " + path);
        return DONE;
    }

    private CompletableFuture<Long> materialize(String path, Entry idx) throws IOException {
        if (idx.isDir()) {
            FileStat st = materializer.makeDirectory(path, idx);
            table.put(path, new Local(idx.version(), null, st));
            return DONE;
        }
        Local before = table.get(path);
        return materializer.writeFile(path, idx, onDisk -> before != null && onDisk.sameAs(before.stat()))
                .handle((st, error) -> {
                    if (error == null) {
                        table.put(path, new Local(idx.version(), idx.sha256(), st));
                        return null;
                    }
                    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof Materializer.LocalEditInTheWay) {
                        LOG.debug("{}; proposing it first", cause.getMessage());
                        return 0L;
                    }
                    throw new java.util.concurrent.CompletionException(cause);
                });
    }

    /** The file differs from what this node last synced: read it stably and commit what changed. */
    private CompletableFuture<Long> hashAndPropose(String path, Local local) throws IOException {
        Uploader.Snapshot snap;
        try {
            snap = uploader.read(PathValidator.resolve(root, path), path);
        } catch (java.util.concurrent.CompletionException e) {
            throw new IOException("sending chunks of " + path + " failed: " + e.getCause(), e);
        }
        // Still being written: look again once the writer paused (its close comes sooner, as an event).
        if (snap == null) return retryIn(settings.quietMillis());
        Entry idx = index.get(path);
        if (idx != null && idx.isFile() && idx.sha256().equals(snap.sha256())) {
            table.put(path, new Local(idx.version(), snap.sha256(), snap.stat()));
            return proposeMetaIfChanged(path, idx, snap.stat());
        }
        if (local != null && snap.sha256().equals(local.sha256())) {
            // Same content as last synced, only the stat moved: take note, compare again.
            table.put(path, new Local(local.version(), local.sha256(), snap.stat()));
            if (idx != null && idx.version() == local.version()) return proposeMetaIfChanged(path, idx, snap.stat());
            return retryIn(0);
        }
        long base = baseOf(local, idx);
        Op.Put put = new Op.Put(origin(), path, snap.stat().size(), snap.sha256(), snap.chunks(),
                snap.stat().mode(), snap.stat().mtimeMillis(), base, snap.inlineData() != null);
        return propose(path, put, snap.inlineData(), snap);
    }

    /**
     * Whether the committed entry is still what this node last synced. Usually the versions say
     * so; but a rename commits the moved entries under new versions while the bytes stay the same
     * (git's lock file: committed empty, then written and renamed over the index at once).
     */
    private static boolean stillSynced(Local local, Entry idx) {
        if (idx.version() == local.version()) return true;
        if (idx.isDir()) return local.sha256() == null && local.stat().kind() == FileStat.Kind.DIR;
        return local.sha256() != null && local.sha256().equals(idx.sha256());
    }

    /** The committed version a change made here builds on (0: nothing this node synced). */
    private static long baseOf(Local local, Entry idx) {
        if (local == null) return 0;
        return idx != null && stillSynced(local, idx) ? idx.version() : local.version();
    }

    private CompletableFuture<Long> proposeMetaIfChanged(String path, Entry idx, FileStat disk) {
        if (idx.executable() == ((disk.mode() & 0100) != 0) && idx.mtime() == disk.mtimeMillis()) return DONE;
        return propose(path, new Op.Meta(origin(), path, disk.mode(), disk.mtimeMillis(), idx.version()), null, null);
    }

    private CompletableFuture<Long> propose(String path, Op op, java.nio.ByteBuffer data, Uploader.Snapshot snap) {
        CompletableFuture<Result> sent;
        long started = System.nanoTime();
        try {
            sent = uploader.submit(op, data);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.handle((result, error) -> {
            if (error != null) {
                LOG.debug("Proposal {} failed: {}", Op.describe(op), error.toString());
                problems.put(path, "waiting for the cluster: " + rootCause(error));
                return 500L;
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {}{} in {} ms", Op.describe(op), result.status(),
                        snap == null ? "" : " (" + snap.stat().size() + " bytes)", (System.nanoTime() - started) / 1_000_000);
            }
            return afterResult(path, op, result, snap);
        });
    }

    /** Records what the cluster decided for this node's own proposal. Returns a retry delay or null. */
    private Long afterResult(String path, Op op, Result r, Uploader.Snapshot snap) {
        switch (r.status()) {
            case APPLIED, NOOP, CONFLICT -> {
                if (op instanceof Op.Put) {
                    // On CONFLICT our bytes live on as the copy; the winner may now replace them here.
                    long version = r.status() == Result.Status.CONFLICT ? versionOr(table.get(path)) : r.version();
                    table.put(path, new Local(version, snap.sha256(), snap.stat()));
                    if (r.status() == Result.Status.CONFLICT) LOG.info("Conflict: {} kept as {}", path, r.path());
                    // Committed as read: a change made since then has an event of its own.
                    if (r.status() == Result.Status.APPLIED) return null;
                } else if (op instanceof Op.Delete) {
                    if (r.status() != Result.Status.CONFLICT) table.remove(path);
                } else if (op instanceof Op.Mkdir || op instanceof Op.Meta) {
                    FileStat st = FileStat.of(PathValidator.resolve(root, path));
                    Local l = table.get(path);
                    if (st != null && r.status() == Result.Status.APPLIED) table.put(path, new Local(r.version(), l == null ? null : l.sha256(), st));
                }
                return 0L;
            }
            case SUPERSEDED -> {
                if (op instanceof Op.Delete) table.remove(path); // the change won: it comes back
                return 0L;
            }
            case REJECTED -> {
                LOG.warn("Change to {} refused: {}", path, r.detail());
                blocked.put(path, new Blocked(r.detail(), FileStat.of(PathValidator.resolve(root, path))));
                return null;
            }
            case DUPLICATE -> {
                return 0L;
            }
        }
        return null;
    }

    private static long versionOr(Local l) {
        return l == null ? 0 : l.version();
    }

    /** A rename seen by the watcher: one op, when both sides are what this node last synced. */
    private CompletableFuture<Boolean> proposeMove(String from, String to) {
        Local local = table.get(from);
        Entry idx = index.get(from);
        FileStat moved = FileStat.of(PathValidator.resolve(root, to));
        if (local == null || idx == null || !stillSynced(local, idx) || moved == null
                || moved.kind() != local.stat().kind() || (moved.kind() == FileStat.Kind.FILE && moved.inode() != local.stat().inode())) {
            return CompletableFuture.completedFuture(false); // compared path by path instead
        }
        Local dst = table.get(to);
        Op.Rename op = new Op.Rename(origin(), from, to, idx.version(), baseOf(dst, index.get(to)));
        CompletableFuture<Result> sent;
        try {
            sent = uploader.submit(op, null);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(false);
        }
        return sent.handle((r, e) -> {
            if (e != null || r == null) return false;
            if (r.status() != Result.Status.APPLIED && r.status() != Result.Status.CONFLICT) {
                LOG.debug("Rename {} -> {} not applied ({}): comparing both paths", from, to, r.detail());
                return false;
            }
            // The disk has the moved tree at `to`: carry what we knew of it along.
            table.moveSubtree(from, to);
            if (r.status() == Result.Status.CONFLICT) LOG.info("Conflict: {} moved onto a changed {}, kept as {}", from, to, r.path());
            return true;
        });
    }

    // ---------------------------------------------------------------- changes made through the admin API

    /** Commits the content of {@code source} at {@code path}, replacing whatever is committed there. */
    public CompletableFuture<Result> putFile(String path, Path source) throws IOException {
        Uploader.Snapshot snap = uploader.read(source, path);
        if (snap == null) throw new IOException("the upload changed while it was read");
        Entry idx = index.get(path);
        long base = idx != null && idx.isFile() ? idx.version() : 0;
        int mode = idx != null && idx.isFile() ? idx.mode() : 0644;
        Op.Put put = new Op.Put(origin(), path, snap.stat().size(), snap.sha256(), snap.chunks(), mode,
                System.currentTimeMillis(), base, snap.inlineData() != null);
        return uploader.submit(put, snap.inlineData());
    }

    /** Tells the cluster where this node's admin API listens. */
    public CompletableFuture<Result> announce(String adminAddress) {
        try {
            return uploader.submit(new Op.Hello(origin(), adminAddress), null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Deletes a committed file or directory tree. */
    public CompletableFuture<Result> delete(String path) throws IOException {
        Entry idx = index.get(path);
        if (idx == null) throw new java.nio.file.NoSuchFileException(path);
        return uploader.submit(new Op.Delete(origin(), path, idx.version(), index.versionClock()), null);
    }

    /** The origin of a new op; its sequence number is taken when it is sent ({@link Uploader#submit}). */
    private Op.Origin origin() {
        return new Op.Origin(nodeId, 0);
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close() {
        running = false;
        loop.close();
        workers.shutdownNow();
        materializer.close();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
