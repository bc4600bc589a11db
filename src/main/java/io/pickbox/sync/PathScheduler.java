package io.pickbox.sync;

import io.pickbox.folder.PathValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Decides when each path is looked at, and makes sure no two jobs touch one tree at once.
 *
 * <p>One loop thread owns the bookkeeping: which paths are dirty and since when, when each falls
 * due, which are busy (a job in flight), which fell due while busy (deferred). Due paths go to the
 * worker threads; a path is not handed out while it, an ancestor or a descendant is busy, so a path
 * never has two proposals or writes in flight. Methods marked "loop thread" must be called there
 * (from a task given to {@link #post}).
 *
 * <p>A job that proposes waits on its worker while the node has as much in flight as it may
 * ({@link ProposalWindow}); the paths after it then wait in the ready queue, as paths only (no task,
 * future or contents per path), until a worker takes them.
 *
 * <p>Each path tracked costs its bookkeeping here, so changes committed elsewhere are {@link #offer
 * offered}: past {@code maxTracked} paths they are refused, and whoever offered them must find them
 * again later (from the index and the local table) and offer them once there is room
 * ({@link #whenAtMost}). A node whose folder falls behind the index then holds a bounded number of
 * paths, not one per file still to write. Changes seen in the folder are taken within a bound of
 * their own ({@link #touchIfRoom}); past it, the folder itself remembers them, and a walk of their
 * directory finds them again.
 */
final class PathScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PathScheduler.class);
    private static final int WORKERS = 4;
    private static final CompletableFuture<Long> DONE = CompletableFuture.completedFuture(null);

    private final long maxDelayMillis;
    private final int maxTracked;
    private final Predicate<String> ignored;
    private final ToLongFunction<String> sizeOf;
    /** The job for one path; completes with a delay after which to look again, or null. */
    private final Function<String, CompletableFuture<Long>> job;
    private final PathProblems problems;

    private final EventLoop loop = new EventLoop("pickbox-sync");
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, daemon("pickbox-sync-worker"));

    // Owned by the loop thread.
    private final Map<String, Long> firstDirty = new HashMap<>();
    private final Map<String, Long> due = new HashMap<>();
    /** When the one timer of a dirty path goes off. */
    private final Map<String, Long> timerAt = new HashMap<>();
    private final TreeSet<String> busy = new TreeSet<>();
    private final TreeSet<String> deferred = new TreeSet<>();
    /** The paths group jobs hold (they are busy too). */
    private final Set<String> heldByGroups = new HashSet<>();
    /** Groups waiting for a group that holds one of their paths or a directory above one, in the order offered. */
    private final List<Runnable> groupsWaiting = new ArrayList<>();
    /** Renames waiting for the jobs in their trees to end ({@link #runPairOnceFree}), in the order asked. */
    private final List<PairWaiting> pairsWaiting = new ArrayList<>();
    private boolean dispatchPosted;
    /** Times a due path was deferred behind a busy one: each should wait once, not again after every job. Loop thread. */
    private long deferrals;

    /** Fired paths (held busy) not taken by a worker yet, in the order they fell due. */
    private final Queue<String> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger readyCount = new AtomicInteger();
    /** Workers taking paths from {@link #ready}; at most {@link #WORKERS}. */
    private final AtomicInteger takers = new AtomicInteger();

    private volatile int pending;
    /** Paths offered and not counted in {@link #pending} yet: room taken for them. */
    private final AtomicInteger reserved = new AtomicInteger();
    /** Waiting for {@link #tracked} to drop to a number. Loop thread. */
    private final List<Room> roomWanted = new ArrayList<>();
    /** The most paths waiting or in flight at once so far; written on the loop thread. */
    private volatile int mostPending;
    private volatile int dueCount;
    private volatile boolean running = true;
    /** Until started (the index has caught up with the local table), due paths only accumulate. */
    private volatile boolean started;

    /**
     * @param maxDelayMillis a dirty path is looked at this long after its first event at the latest
     * @param sizeOf         a path's committed size, to hand out large files first
     * @param job            what is done for a due path, on a worker
     * @param problems       where a failed job's error is shown
     */
    PathScheduler(long maxDelayMillis, Predicate<String> ignored, ToLongFunction<String> sizeOf,
                  Function<String, CompletableFuture<Long>> job, PathProblems problems) {
        this(maxDelayMillis, Integer.MAX_VALUE, ignored, sizeOf, job, problems);
    }

    /** @param maxTracked how many paths {@link #offer} and {@link #offerGroup} let the scheduler track at most */
    PathScheduler(long maxDelayMillis, int maxTracked, Predicate<String> ignored, ToLongFunction<String> sizeOf,
                  Function<String, CompletableFuture<Long>> job, PathProblems problems) {
        this.maxDelayMillis = maxDelayMillis;
        this.maxTracked = maxTracked;
        this.ignored = ignored;
        this.sizeOf = sizeOf;
        this.job = job;
        this.problems = problems;
    }

    /** Paths waiting to be looked at or with a job in flight. */
    int pending() {
        return pending;
    }

    /** Dirty paths whose job has not started yet: waiting for their time, for a tree, or for a worker. */
    int waiting() {
        return dueCount + readyCount.get();
    }

    /** How many paths {@link #offer} and {@link #offerGroup} let the scheduler track at most. */
    int maxTracked() {
        return maxTracked;
    }

    /**
     * How many paths the scheduler tracks at most with changes seen in the folder: twice
     * {@link #maxTracked}, so that changes committed elsewhere and stalled (contents no peer
     * holds) never keep a local edit waiting.
     */
    int maxLocal() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * maxTracked);
    }

    /** Whether {@code n} more paths fit under {@code maxTracked}. */
    boolean hasRoomFor(int n) {
        return (long) tracked() + n <= maxTracked;
    }

    /** Paths tracked: waiting, with a job in flight, or offered and not looked at yet. */
    int tracked() {
        return pending + reserved.get();
    }

    /**
     * Marks {@code path} dirty and due now if the scheduler tracks fewer than {@code maxTracked}
     * paths, and then only if {@code stillWanted} says so on the loop thread. False, and nothing
     * remembered, when there is no room. From any thread.
     */
    boolean offer(String path, Predicate<String> stillWanted) {
        return postWithRoom(1, () -> {
            if (stillWanted.test(path)) touch(path, 0);
        });
    }

    /**
     * Takes all {@code paths} if there is room for them all; false (none taken) otherwise. The paths
     * nothing holds (not waiting, no job on them or on their tree) go to {@code groupJob} at once,
     * on a worker, held busy meanwhile; it returns those it left undone, which are then marked dirty and due now like the rest. One job for many paths
     * where the per-path work would run one each (new files a node catching up writes as a group).
     * A group meeting a path another group holds, or a directory above it (the next part of a
     * restored tree, whose directory the part before is making), waits for that group to end, as a
     * whole: taken path by path, it would wait for the same group anyway, and then cost a job per path.
     * From any thread.
     */
    boolean offerGroup(List<String> paths, Function<List<String>, List<String>> groupJob) {
        if (!reserve(paths.size())) return false;
        post(() -> takeGroup(paths, groupJob));
        return true;
    }

    /** Loop thread. */
    private void takeGroup(List<String> paths, Function<List<String>, List<String>> groupJob) {
        if (started && running && meetsAnotherGroup(paths)) {
            groupsWaiting.add(() -> takeGroup(paths, groupJob));
            return;
        }
        List<String> free = new ArrayList<>(paths.size());
        for (String p : paths) {
            // judged before any is held: the group's own directories do not hold back its files
            if (started && !due.containsKey(p) && !isBusy(p) && !ignored.test(p) && PathValidator.isValid(p)) free.add(p);
            else touch(p, 0);
        }
        busy.addAll(free);
        heldByGroups.addAll(free);
        recount();
        release(paths.size());
        if (free.isEmpty()) return;
        CompletableFuture.supplyAsync(() -> running ? groupJob.apply(free) : free, workers)
                .whenComplete((left, e) -> post(() -> {
                    for (String p : free) heldByGroups.remove(p); // not removeAll: it asks the list, path by path
                    // The paths left undone become due before the room they hold is given back.
                    if (left != null && e == null) {
                        for (String p : left) {
                            busy.remove(p);
                            touch(p, 0);
                        }
                    }
                    done(free, e, null);
                    List<Runnable> waiting = new ArrayList<>(groupsWaiting);
                    groupsWaiting.clear();
                    waiting.forEach(Runnable::run);
                }));
    }

    /** Whether a group holds one of {@code paths} or a directory above one. Loop thread. */
    private boolean meetsAnotherGroup(List<String> paths) {
        if (heldByGroups.isEmpty()) return false;
        for (String p : paths) {
            if (heldByGroups.contains(p)) return true;
            for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
                if (heldByGroups.contains(p.substring(0, i))) return true;
            }
        }
        return false;
    }

    private boolean reserve(int n) {
        for (int r; ; ) {
            r = reserved.get();
            if ((long) pending + r + n > maxTracked) return false;
            if (reserved.compareAndSet(r, r + n)) return true;
        }
    }

    /** Loop thread: the paths are counted in {@link #pending} by now. */
    private void release(int n) {
        reserved.addAndGet(-n);
        roomMayHaveCome();
    }

    /** Completes once the scheduler tracks at most {@code paths} paths; never once closed. From any thread. */
    CompletableFuture<Void> whenAtMost(int paths) {
        CompletableFuture<Void> room = new CompletableFuture<>();
        post(() -> {
            roomWanted.add(new Room(paths, room));
            roomMayHaveCome();
        });
        return room;
    }

    private record Room(int atMost, CompletableFuture<Void> done) {}

    /** Loop thread. */
    private void roomMayHaveCome() {
        if (roomWanted.isEmpty()) return;
        int now = tracked();
        roomWanted.removeIf(r -> r.done().isDone() || (now <= r.atMost() && r.done().complete(null)));
    }

    /** The most paths waiting or in flight at once so far. */
    int mostPending() {
        return mostPending;
    }

    /** Milliseconds until {@code path} is due, -1 when it is not waiting. Loop thread. */
    long dueInMillis(String path) {
        Long when = due.get(path);
        return when == null ? -1 : Math.max(0, when - System.currentTimeMillis());
    }

    /**
     * Keeps room for {@code n} paths from now, for {@code task}, run on the loop thread while it is
     * kept: paths offered meanwhile, from any thread, cannot take it. The room is given back once
     * the task ran (a job it started counts on its own). False, and nothing run, when there is no
     * room now. From any thread.
     */
    boolean postWithRoom(int n, Runnable task) {
        if (!reserve(n)) return false;
        post(() -> {
            try {
                task.run();
            } finally {
                release(n);
            }
        });
        return true;
    }

    /** Runs {@code task} on the loop thread; dropped once closed. */
    void post(Runnable task) {
        if (running) loop.post(task);
    }

    /** Runs {@code task} on a worker (scans). */
    void onWorker(Runnable task) {
        workers.execute(task);
    }

    /** Marks {@code path} dirty, due in {@code delayMillis}; from any thread. */
    void touchSoon(String path, long delayMillis) {
        post(() -> touch(path, delayMillis));
    }

    /** Marks all {@code paths} dirty and due now, the largest first; from any thread. */
    void touchAll(Collection<String> paths) {
        post(() -> largestFirst(paths).forEach(p -> touch(p, 0)));
    }

    /** Begins handing out due paths, the largest first. */
    void start() {
        post(() -> {
            started = true;
            largestFirst(due.keySet()).forEach(p -> touch(p, 0));
        });
    }

    boolean started() {
        return started;
    }

    /**
     * Marks {@code path} dirty, due in {@code delayMillis}, but no later than {@code maxDelayMillis}
     * after it first became dirty (a file that never stops changing is still looked at). Loop thread.
     */
    void touch(String path, long delayMillis) {
        if (ignored.test(path) || !PathValidator.isValid(path)) return;
        long now = System.currentTimeMillis();
        long first = firstDirty.computeIfAbsent(path, p -> now);
        long when = Math.min(now + delayMillis, first + maxDelayMillis);
        due.put(path, when);
        recount();
        arm(path, when, now);
    }

    /**
     * As {@link #touch}, if {@code path} is tracked already or there is room for it under
     * {@link #maxLocal}; false, and nothing remembered, otherwise. Loop thread.
     */
    boolean touchIfRoom(String path, long delayMillis) {
        if (tracked() >= maxLocal() && !due.containsKey(path) && !busy.contains(path)) return false;
        touch(path, delayMillis);
        return true;
    }

    /** Whether {@code path} itself has a job in flight. Loop thread. */
    boolean inFlight(String path) {
        return busy.contains(path);
    }

    /**
     * A path is busy if it, an ancestor or a descendant has a job in flight, or is held by a pair
     * waiting to run. Loop thread.
     */
    boolean isBusy(String path) {
        if (inTree(busy, path)) return true;
        for (PairWaiting w : pairsWaiting) {
            if (sameTree(path, w.from()) || sameTree(path, w.to())) return true;
        }
        return false;
    }

    /** Whether {@code paths} holds {@code path}, an ancestor or a descendant of it. */
    private static boolean inTree(TreeSet<String> paths, String path) {
        if (paths.contains(path)) return true;
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            if (paths.contains(path.substring(0, i))) return true;
        }
        // '/' + 1 == '0': every "path/..." sorts between "path/" and "path0".
        return !paths.subSet(path + "/", path + "0").isEmpty();
    }

    /** Whether one of the two paths is the other or lies below it. */
    private static boolean sameTree(String a, String b) {
        return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
    }

    /** Whether a job on both paths (a rename) may start now: neither is busy or ignored. Loop thread. */
    boolean canRunPair(String from, String to) {
        return !isBusy(from) && !isBusy(to) && !ignored.test(from) && !ignored.test(to);
    }

    /**
     * As {@link #runPair}, once no job is in flight on either path or on a path above or below
     * them (a rename seen in the folder while a file inside is being written or proposed): until
     * then both trees are held, no new job starts in them, and a later pair that meets them waits
     * behind it. False, and nothing done, when either path is ignored. Loop thread.
     */
    <T> boolean runPairOnceFree(String from, String to, Supplier<CompletableFuture<T>> pairJob, Consumer<T> after) {
        if (ignored.test(from) || ignored.test(to)) return false;
        if (canRunPair(from, to)) {
            runPair(from, to, pairJob, after);
        } else {
            pairsWaiting.add(new PairWaiting(from, to, () -> runPair(from, to, pairJob, after)));
        }
        return true;
    }

    private record PairWaiting(String from, String to, Runnable start) {
        boolean meets(PairWaiting other) {
            return sameTree(from, other.from) || sameTree(from, other.to) || sameTree(to, other.from) || sameTree(to, other.to);
        }
    }

    /** Starts the waiting pairs whose trees are free, in order: none before a waiting pair it meets. Loop thread. */
    private void startPairsOnceFree() {
        List<PairWaiting> stillWaiting = new ArrayList<>();
        for (PairWaiting w : new ArrayList<>(pairsWaiting)) {
            if (inTree(busy, w.from()) || inTree(busy, w.to()) || stillWaiting.stream().anyMatch(w::meets)) {
                stillWaiting.add(w);
            } else {
                pairsWaiting.remove(w);
                w.start().run();
            }
        }
    }

    /**
     * Runs {@code pairJob} on a worker with both paths held busy; {@code after} gets its outcome
     * (null if it failed) on the loop thread once both are released. Loop thread.
     */
    <T> void runPair(String from, String to, Supplier<CompletableFuture<T>> pairJob, Consumer<T> after) {
        busy.add(from);
        busy.add(to);
        recount();
        CompletableFuture.supplyAsync(pairJob, workers)
                .thenCompose(f -> f)
                .whenComplete((outcome, e) -> post(() -> {
                    done(List.of(from, to), e, null);
                    after.accept(outcome);
                }));
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
            deferrals++;
            return;
        }
        due.remove(path);
        firstDirty.remove(path);
        busy.add(path);
        ready.add(path);
        readyCount.incrementAndGet();
        recount();
        if (!dispatchPosted) {
            dispatchPosted = true;
            post(this::dispatchReady);
        }
    }

    /**
     * Sets workers taking the ready paths, up to one per worker, each taking the next path until
     * none is left. A burst then costs a few wake-ups instead of one per file (which cost more than
     * the comparison itself), and a large file keeps one worker while the others go on with the rest.
     */
    private void dispatchReady() {
        dispatchPosted = false;
        int paths = readyCount.get();
        for (int i = 0; i < paths && running && becomeTaker(); i++) workers.execute(this::takeReady);
    }

    private void takeReady() {
        do {
            for (String p; running && (p = ready.poll()) != null; ) {
                readyCount.decrementAndGet();
                runAndReport(p);
            }
            takers.decrementAndGet();
            // A path queued after the last poll, while every worker was still taking, is taken here.
        } while (running && !ready.isEmpty() && becomeTaker());
    }

    private boolean becomeTaker() {
        for (int n; (n = takers.get()) < WORKERS; ) {
            if (takers.compareAndSet(n, n + 1)) return true;
        }
        return false;
    }

    /** Loop thread. */
    private void recount() {
        pending = due.size() + busy.size();
        dueCount = due.size();
        if (pending > mostPending) mostPending = pending;
        roomMayHaveCome();
    }

    private void runAndReport(String path) {
        CompletableFuture.completedFuture(path).thenCompose(p -> running ? job.apply(p) : DONE)
                .whenComplete((retryIn, e) -> post(() -> done(List.of(path), e, retryIn)));
    }

    private void done(List<String> paths, Throwable error, Long retryIn) {
        paths.forEach(busy::remove);
        // Changes seen meanwhile keep the time their events asked for (a writer still at work keeps
        // pushing it back), and a retry delay asked for below wins over them: a file being written
        // is not read again and again while its writer is at it.
        List<String> waiting = new ArrayList<>();
        for (String p : paths) takeDeferredBy(p, waiting);
        long now = System.currentTimeMillis();
        for (String p : waiting) {
            Long when = due.get(p);
            if (when != null) arm(p, when, now);
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.warn("Syncing {} failed, will retry: {}", paths, cause.toString());
            paths.forEach(p -> problems.report(p, cause.toString()));
            paths.forEach(p -> touch(p, 1000));
        } else if (retryIn != null && retryIn >= 0) {
            // A retry asked for later than the bound of a dirty path (a path waiting for disk space,
            // backing off) keeps its time; an event meanwhile still brings it forward.
            long cap = System.currentTimeMillis() + Math.max(0, retryIn - maxDelayMillis);
            paths.forEach(p -> {
                firstDirty.putIfAbsent(p, cap);
                touch(p, retryIn);
            });
        }
        // Counted once they are back: room seen in between would be taken by an offer, past the bound.
        recount();
        // After the task that called this (a pair's own follow-up comes first).
        if (!pairsWaiting.isEmpty()) post(this::startPairsOnceFree);
    }

    /** How many times a due path was deferred behind a busy one so far. Loop thread. */
    long deferrals() {
        return deferrals;
    }

    /**
     * Moves to {@code out} the deferred paths a job on {@code released} held back: the path itself,
     * its ancestors and everything under it. Only those can have become free, and a joining node
     * defers thousands of paths under a directory being made: looking at all of them again after
     * every job made its start quadratic. Loop thread.
     */
    private void takeDeferredBy(String released, List<String> out) {
        if (deferred.remove(released)) out.add(released);
        for (int i = released.indexOf('/'); i > 0; i = released.indexOf('/', i + 1)) {
            String ancestor = released.substring(0, i);
            if (deferred.remove(ancestor)) out.add(ancestor);
        }
        // '/' + 1 == '0': every "released/..." path sorts between "released/" and "released0".
        java.util.SortedSet<String> under = deferred.subSet(released + "/", released + "0");
        out.addAll(under);
        under.clear();
    }

    private List<String> largestFirst(Collection<String> paths) {
        return largestFirst(paths, sizeOf);
    }

    /**
     * The paths, largest first, in their order otherwise: a large file's chunks are then fetched
     * alongside the many small files a joining or restarted node writes, not after them.
     */
    static List<String> largestFirst(Collection<String> paths, ToLongFunction<String> size) {
        Map<String, Long> sizes = new HashMap<>();
        for (String p : paths) sizes.computeIfAbsent(p, size::applyAsLong);
        List<String> order = new ArrayList<>(paths);
        order.sort(Comparator.comparingLong(sizes::get).reversed());
        return order;
    }

    /** Stops the loop and interrupts the workers; {@link #awaitWorkers} waits for them to end. */
    @Override
    public void close() {
        running = false;
        loop.close();
        workers.shutdownNow();
    }

    void awaitWorkers() {
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
