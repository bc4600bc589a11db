package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.transfer.ChunkBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.ToLongBiFunction;

/**
 * Brings the small files this node lacks over in batches, ahead of the per-path work that writes
 * them: after a snapshot was installed (a node joining, or one gone long enough for the log to be
 * purged) and at start. The per-path work would ask for each missing file's chunk when it gets to
 * the file, a request each; this walks the index in path order and asks for thousands at a time,
 * so that the per-path work finds them here. Its progress is part of the node's status.
 */
public final class SmallFileCatchUp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmallFileCatchUp.class);

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
    private final AtomicLong generation = new AtomicLong();
    private volatile Progress progress = Progress.IDLE;
    private volatile boolean closed;

    /**
     * @param present      whether a chunk is held here already
     * @param materialized whether this node wrote this version of the entry into its folder
     * @param fetch        fetches a batch from the peers (the int says whose turn it is) and returns the bytes it brought
     */
    SmallFileCatchUp(Index index, Predicate<String> present, BiPredicate<String, Entry> materialized,
                     ToLongBiFunction<List<ChunkBatch.Wanted>, Integer> fetch) {
        this.index = index;
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
    }
}
