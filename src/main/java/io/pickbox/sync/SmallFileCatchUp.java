package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.store.Keys;
import io.pickbox.transfer.ChunkBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.ToLongBiFunction;

/**
 * Brings the small files this node lacks over in batches, ahead of the per-path work that writes
 * them: after a snapshot was installed (a node joining, or one gone long enough for the log to be
 * purged) and at start. The per-path work would ask for each missing file's chunk when it gets to
 * the file, a request each; this walks the index in path order and asks for thousands at a time,
 * so that the per-path work finds them here. Its progress is part of the node's status.
 *
 * <p>It also catches the folder up when it fell behind the index by more paths than the per-path
 * work tracks ({@link #behind}): committed changes it had no room for are not remembered one by
 * one, only the first path (in path order) where one was refused. A walk of the index and the local
 * table from there hands it, a batch at a time as it has room, every path whose committed version
 * the folder does not hold (the local table says which version it holds).
 */
public final class SmallFileCatchUp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmallFileCatchUp.class);

    /** Paths handed to the per-path work at once, when it has room for them all. */
    static final int HAND_OVER_BATCH = 512;
    /** Files asked for in one request: a few milliseconds of a peer's reading, and one flush here. */
    static final int BATCH_FILES = 2048;
    /** File bytes asked for in one request at most, well within a response's bound. */
    static final long BATCH_BYTES = 8L << 20;
    /** Requests in flight at once: one being answered while the previous one is stored. */
    private static final int IN_FLIGHT = 2;

    /**
     * A pass: how many small files (and bytes) it found missing; how many are no longer missing
     * (brought in batches, or by the per-path work), and the bytes the batches brought.
     */
    public record Progress(boolean running, long files, long bytes, long filesDone, long bytesDone) {
        static final Progress IDLE = new Progress(false, 0, 0, 0, 0);
    }

    private final Index index;
    private final Predicate<String> present;
    private final BiPredicate<String, Entry> materialized;
    private final ToLongBiFunction<List<ChunkBatch.Wanted>, Integer> fetch;
    private final ExecutorService passes;
    private final ExecutorService fetches;
    private final LocalTable table;
    private final Predicate<String> ignored;
    private final PathScheduler work;
    private final java.util.function.Function<List<String>, List<String>> newPaths;
    private final ExecutorService handOvers;
    /** The first path, in path order, whose change the per-path work had no room for since a walk last started. */
    private final AtomicReference<String> behindFrom = new AtomicReference<>();
    /** Set while a walk is queued or running. */
    private final AtomicBoolean handingOver = new AtomicBoolean();
    private final AtomicLong generation = new AtomicLong();
    private volatile Progress progress = Progress.IDLE;
    private volatile boolean closed;

    /**
     * @param work         the per-path work, which paths are handed to when the folder is behind
     * @param present      whether a chunk is held here already
     * @param materialized whether this node wrote this version of the entry into its folder
     * @param fetch        fetches a batch from the peers (the int says whose turn it is) and returns the bytes it brought
     * @param newPaths     brings a group of paths handed over up to date in one go where it can, and
     *                     returns those it left to the per-path work
     */
    SmallFileCatchUp(Index index, LocalTable table, Predicate<String> ignored, PathScheduler work,
                     Predicate<String> present, BiPredicate<String, Entry> materialized,
                     ToLongBiFunction<List<ChunkBatch.Wanted>, Integer> fetch,
                     java.util.function.Function<List<String>, List<String>> newPaths) {
        this.index = index;
        this.newPaths = newPaths;
        this.table = table;
        this.ignored = ignored;
        this.work = work;
        this.handOvers = Executors.newSingleThreadExecutor(r -> daemon(r, "pickbox-catch-up-paths"));
        this.present = present;
        this.materialized = materialized;
        this.fetch = fetch;
        this.passes = Executors.newSingleThreadExecutor(r -> daemon(r, "pickbox-catch-up"));
        this.fetches = Executors.newFixedThreadPool(IN_FLIGHT, r -> daemon(r, "pickbox-catch-up-fetch"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts a pass over the index; a pass already running stops where it is. */
    void begin() {
        if (closed) return;
        long pass = generation.incrementAndGet();
        passes.execute(() -> {
            try {
                run(pass);
            } catch (RuntimeException e) {
                LOG.warn("Fetching missing small files in batches failed; they are fetched one by one: {}", e.toString());
            } finally {
                if (generation.get() == pass) progress = new Progress(false, progress.files(), progress.bytes(),
                        progress.filesDone(), progress.bytesDone());
            }
        });
    }

    Progress progress() {
        return progress;
    }

    private boolean current(long pass) {
        return !closed && generation.get() == pass;
    }

    private void run(long pass) {
        long[] counted = new long[2];
        index.forEach("", (path, entry) -> {
            if (missing(path, entry)) {
                counted[0]++;
                counted[1] += entry.size();
            }
        });
        long files = counted[0];
        long bytes = counted[1];
        if (!current(pass)) return;
        if (files == 0) {
            // Nothing missing (any more): what an earlier pass counted has all come.
            Progress earlier = progress;
            progress = new Progress(false, earlier.files(), earlier.bytes(), earlier.files(), earlier.bytesDone());
            return;
        }
        LOG.info("Fetching {} missing small files ({} bytes) from peers in batches", files, bytes);
        AtomicLong filesDone = new AtomicLong();
        AtomicLong bytesDone = new AtomicLong();
        final long total = files;
        final long totalBytes = bytes;
        progress = new Progress(true, total, totalBytes, 0, 0);
        Semaphore slots = new Semaphore(IN_FLIGHT);
        Batches batches = new Batches(slots, pass, filesDone, bytesDone);
        index.forEach("", (path, entry) -> {
            if (current(pass) && missing(path, entry)) batches.add(new ChunkBatch.Wanted(entry.chunks().get(0), path), entry.size());
        });
        if (current(pass)) batches.flush();
        slots.acquireUninterruptibly(IN_FLIGHT);
        if (!current(pass)) return;
        // The per-path work fetches what it reaches first, one by one: what counts is what is still missing.
        long[] left = new long[1];
        index.forEach("", (path, entry) -> {
            if (missing(path, entry)) left[0]++;
        });
        long batched = filesDone.get();
        progress = new Progress(true, total, totalBytes, Math.max(0, total - left[0]), bytesDone.get());
        LOG.info("Brought {} missing small files in batches; {} of {} are still missing", batched, left[0], total);
    }

    /** The batch being filled, sent when full. */
    private final class Batches {
        private final Semaphore slots;
        private final long pass;
        private final AtomicLong filesDone;
        private final AtomicLong bytesDone;
        private List<ChunkBatch.Wanted> batch = new ArrayList<>();
        private long batchBytes;
        private int turn;

        Batches(Semaphore slots, long pass, AtomicLong filesDone, AtomicLong bytesDone) {
            this.slots = slots;
            this.pass = pass;
            this.filesDone = filesDone;
            this.bytesDone = bytesDone;
        }

        void add(ChunkBatch.Wanted wanted, long size) {
            batch.add(wanted);
            batchBytes += size;
            if (batch.size() >= BATCH_FILES || batchBytes >= BATCH_BYTES) flush();
        }

        void flush() {
            if (batch.isEmpty()) return;
            send(batch, turn++);
            batch = new ArrayList<>();
            batchBytes = 0;
        }

        /** Sends a full batch once a request slot is free; its replies update the progress. */
        private void send(List<ChunkBatch.Wanted> batch, int turn) {
            slots.acquireUninterruptibly();
            if (!current(pass)) {
                slots.release();
                return;
            }
            fetches.execute(() -> {
                try {
                    long brought = fetch.applyAsLong(batch, turn);
                    long done = filesDone.addAndGet(batch.size());
                    long doneBytes = bytesDone.addAndGet(brought);
                    if (current(pass)) progress = new Progress(true, progress.files(), progress.bytes(), done, doneBytes);
                } catch (RuntimeException e) {
                    LOG.debug("A batch of {} small files failed: {}", batch.size(), e.toString());
                } finally {
                    slots.release();
                }
            });
        }
    }


    // ---------------------------------------------------------------- the folder behind the index

    /**
     * The per-path work had no room for the change committed at {@code path}: a walk from there (or
     * from an earlier path refused meanwhile) hands it every path the folder is behind on. From any
     * thread; costs no memory per path.
     */
    void behind(String path) {
        rememberBehind(path);
        if (handingOver.compareAndSet(false, true)) startHandOver();
    }

    private void rememberBehind(String path) {
        behindFrom.accumulateAndGet(path, (was, p) -> was == null || Keys.compare(p, was) < 0 ? p : was);
    }

    /** Whether paths the folder is behind on may not have been handed to the per-path work yet. */
    boolean isBehind() {
        return handingOver.get() || behindFrom.get() != null;
    }

    private void startHandOver() {
        try {
            handOvers.execute(this::handOver);
        } catch (RejectedExecutionException closing) {
            handingOver.set(false);
        }
    }

    private void handOver() {
        for (String from; (from = behindFrom.getAndSet(null)) != null; ) {
            try {
                walkFrom(from);
            } catch (CancellationException closing) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Catching the folder up with the index from {} failed; it starts there again with the next change"
                        + " there is no room for: {}", from, e.toString());
                rememberBehind(from);
                handingOver.set(false);
                return;
            }
        }
        handingOver.set(false);
        // A path refused after the last look, before the flag went down, has no walk to find it otherwise.
        if (behindFrom.get() != null && handingOver.compareAndSet(false, true)) startHandOver();
    }

    /** Hands the per-path work the paths from {@code from} on that the folder does not hold as committed. */
    private void walkFrom(String from) {
        int size = Math.max(1, Math.min(HAND_OVER_BATCH, work.maxTracked() / 4));
        List<List<String>> batch = new ArrayList<>(List.of(new ArrayList<>(size)));
        long[] handed = new long[1];
        FolderJoin.stored(from, ignored, index, table, (path, disk, row, entry) -> {
            if (closed) throw new CancellationException();
            if (holdsCommitted(row, entry)) return;
            batch.get(0).add(path);
            if (batch.get(0).size() < size) return;
            handed[0] += handOver(batch.get(0));
            batch.set(0, new ArrayList<>(size));
        });
        if (!batch.get(0).isEmpty()) handed[0] += handOver(batch.get(0));
        LOG.debug("Handed {} paths from {} on to be brought up to date", handed[0], from);
    }

    /** Whether the folder holds the committed version of a path, as far as the local table says. */
    static boolean holdsCommitted(LocalTable.Local row, Entry entry) {
        if (entry == null) return row == null;
        return row != null && row.version() == entry.version();
    }

    /** Offers {@code paths} to the per-path work once it has room for them; returns how many. */
    private int handOver(List<String> paths) {
        while (!work.offerGroup(paths, newPaths)) {
            try {
                work.whenAtMost(work.maxTracked() - paths.size()).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException();
            } catch (ExecutionException e) {
                throw new CancellationException();
            }
            if (closed) throw new CancellationException();
        }
        return paths.size();
    }

    /** A small file (one chunk) this node neither wrote in this version nor holds the chunk of. */
    private boolean missing(String path, Entry entry) {
        return entry.isFile() && entry.chunks().size() == 1 && entry.size() < Hashing.CHUNK_SIZE
                && !materialized.test(path, entry) && !present.test(entry.chunks().get(0));
    }

    @Override
    public void close() {
        closed = true;
        passes.shutdownNow();
        fetches.shutdownNow();
        handOvers.shutdownNow();
    }
}
