package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.os.NotRegularFileException;
import io.pickbox.os.RegularFiles;
import io.pickbox.os.SymlinkInPathException;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.Placement;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a file that a writer has finished with and proposes it: small files in one entry,
 * large ones as chunks pushed to the peers (skipping chunks the cluster already holds) then a
 * final PUT. The file is stat'ed before, while and after reading; if it changed meanwhile,
 * nothing is committed. What is in flight is bounded by the {@link ProposalWindow}: a small file
 * is read only once there is room to send it.
 */
final class Uploader {

    /** Read outcome: the stable content summary, or null when the file changed while read. */
    record Snapshot(FileStat stat, String sha256, List<String> chunks, ByteBuffer inlineData) {}

    private final Index index;
    private final Proposer proposer;
    private final String nodeId;
    /** This node's last sequence number; taken and sent under one lock, so sequences reach the log in order. */
    private long seq;
    private final Object sendOrder = new Object();
    /** Bounds the proposals and chunk pushes in flight from this node (Ratis queues included). */
    final ProposalWindow window;
    private final java.util.function.Predicate<String> alreadyHeld;
    final Transfers transfers = new Transfers();
    private volatile SyncMetrics metrics = SyncMetrics.NONE;

    private final ChunkPusher pusher;
    /**
     * Chunks every peer took lately, with when: a file read again (it was still being written)
     * does not push them again. Peers keep a chunk no file needs for ten minutes at least.
     */
    private final Map<String, Long> pushed = new LinkedHashMap<>();
    private static final int PUSHED_REMEMBERED = 4096;
    private static final long PUSHED_VALID_MILLIS = 5 * 60_000;
    /**
     * Chunk arrays back from pushes (and from chunks not sent), read into again: a new 1 MiB array
     * per chunk kept the collector busy (GC 14 % of a sending node's CPU). Arrays that went through
     * Raft are not reused, as Ratis may still hold them.
     */
    private final java.util.concurrent.ArrayBlockingQueue<byte[]> spareChunks =
            new java.util.concurrent.ArrayBlockingQueue<>((int) (ProposalWindow.MAX_BYTES / Hashing.CHUNK_SIZE) + 2);
    /** Files read (and hashed) since start, whatever came of each read. */
    private final java.util.concurrent.atomic.LongAdder filesRead = new java.util.concurrent.atomic.LongAdder();
    /** Reads in progress; when the last one ends the spare arrays go, not to stay in an idle heap. */
    private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

    /** As below, sending every chunk through Raft. */
    Uploader(String nodeId, Index index, Proposer proposer, java.util.function.Predicate<String> alreadyHeld) {
        this(nodeId, index, proposer, alreadyHeld, ChunkPusher.NONE);
    }

    /**
     * @param alreadyHeld whether a chunk need not be sent: the cluster committed it, or this node
     *                    already staged it (sent or received before: a retried upload resends nothing)
     * @param pusher      sends chunks straight to every peer; a chunk some member did not take goes
     *                    through Raft instead
     */
    Uploader(String nodeId, Index index, Proposer proposer, java.util.function.Predicate<String> alreadyHeld,
             ChunkPusher pusher) {
        this(nodeId, index, proposer, alreadyHeld, pusher, new ProposalWindow());
    }

    Uploader(String nodeId, Index index, Proposer proposer, java.util.function.Predicate<String> alreadyHeld,
             ChunkPusher pusher, ProposalWindow window) {
        this.nodeId = nodeId;
        this.pusher = pusher;
        // Sequences must grow across restarts: start from the clock, never below what the cluster saw.
        this.seq = Math.max(System.currentTimeMillis() * 1000, index.lastSeq(nodeId));
        this.index = index;
        this.alreadyHeld = alreadyHeld;
        this.proposer = proposer;
        this.window = window;
    }

    void setMetrics(SyncMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Reads {@code file}; chunks of large files not yet in the cluster are sent as they are read.
     * Returns null if the file changed or vanished meanwhile.
     */
    Snapshot read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * As {@link #read(Path)}, for the file to be committed at {@code path} in the folder (null when
     * not known): peers assemble it there as its chunks arrive, and its progress is reported under it.
     */
    Snapshot read(Path file, String path) throws IOException {
        filesRead.increment();
        reads.incrementAndGet();
        try {
            return readCounted(file, path);
        } finally {
            if (reads.decrementAndGet() == 0) spareChunks.clear();
        }
    }

    private Snapshot readCounted(Path file, String path) throws IOException {
        String label = path != null ? path : file.getFileName().toString();
        FileStat before = FileStat.of(file);
        if (before == null || before.kind() != FileStat.Kind.FILE) return null;
        MessageDigest whole = Hashing.newSha256();
        List<String> chunks = new ArrayList<>();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        ByteBuffer inline = null;
        if (before.size() <= Hashing.CHUNK_SIZE) awaitRoom(before.size());
        InputStream opened;
        try {
            opened = Channels.newInputStream(RegularFiles.open(file, StandardOpenOption.READ));
        } catch (NotRegularFileException | SymlinkInPathException replaced) {
            return null; // since the stat: a fifo, say, which a plain open would wait on for ever
        }
        try (InputStream in = opened) {
            if (before.size() <= Hashing.CHUNK_SIZE) {
                byte[] all = in.readNBytes(Hashing.CHUNK_SIZE + 1);
                if (all.length != before.size()) return null;
                whole.update(all);
                if (all.length > 0) inline = ByteBuffer.wrap(all);
            } else {
                java.util.concurrent.atomic.AtomicLong progress = transfers.start(label, "sending", before.size());
                try {
                while (true) {
                    // One read into a whole chunk's array (readNBytes(int) reads 8 KiB pieces and
                    // copies them together); only a short last chunk gets an array of its size.
                    byte[] buf = spareChunks.poll();
                    if (buf == null) buf = new byte[Hashing.CHUNK_SIZE];
                    int n = in.readNBytes(buf, 0, buf.length);
                    if (n < buf.length) {
                        byte[] full = buf;
                        buf = java.util.Arrays.copyOf(full, n);
                        recycle(full);
                        if (n == 0) break;
                    }
                    // A writer is still at it: stop now rather than read and send the rest twice.
                    FileStat now = FileStat.of(file);
                    if (now == null || !now.sameAs(before)) return null;
                    whole.update(buf);
                    String h = Hashing.sha256Hex(buf);
                    chunks.add(h);
                    if (!alreadyHeld.test(h) && !recentlyPushed(h)) {
                        long offset = (long) (chunks.size() - 1) * Hashing.CHUNK_SIZE;
                        sent.add(sendChunk(h, buf, path == null ? null : new Placement(path, offset), before.size()));
                    } else {
                        metrics.dedupedBytes(buf.length);
                        recycle(buf);
                    }
                    progress.addAndGet(buf.length);
                    if (buf.length < Hashing.CHUNK_SIZE) break;
                }
                } finally {
                    transfers.finish(label, "sending");
                }
            }
        }
        FileStat after = FileStat.of(file);
        if (after == null || !after.sameAs(before)) return null;
        for (CompletableFuture<?> f : sent) f.join();
        String sha = Hashing.hex(whole.digest());
        // A one-chunk file's chunk is the file itself: its hash is the file's hash.
        if (inline != null) chunks.add(sha);
        return new Snapshot(after, sha, chunks, inline);
    }

    /**
     * Pushes a chunk to every peer; if one of them did not take it, commits it through Raft, which
     * stores it on a majority. Either way it is durable on the members before the file's PUT is sent.
     */
    private CompletableFuture<?> sendChunk(String sha, byte[] data, Placement at, long fileSize) throws IOException {
        acquire(data.length);
        CompletableFuture<?> sent = pusher.pushToAll(sha, data, at, fileSize).thenCompose(everyPeer -> {
            if (everyPeer) {
                remember(sha);
                metrics.pushedBytes(data.length);
                recycle(data);
                return CompletableFuture.completedFuture(null);
            }
            return proposer.submit(new Op.Chunk(sha, data.length), ByteBuffer.wrap(data));
        });
        return sent.whenComplete((r, e) -> window.release(data.length));
    }

    long filesRead() {
        return filesRead.sum();
    }

    int spareChunkArrays() {
        return spareChunks.size();
    }

    /** Keeps a full chunk's array for the next read, unless no read is going on (an abandoned read's push ended). */
    private void recycle(byte[] chunk) {
        if (chunk.length == Hashing.CHUNK_SIZE && reads.get() > 0) spareChunks.offer(chunk);
    }

    private void remember(String sha) {
        synchronized (pushed) {
            pushed.remove(sha);
            pushed.put(sha, System.currentTimeMillis());
            if (pushed.size() > PUSHED_REMEMBERED) pushed.remove(pushed.keySet().iterator().next());
        }
    }

    private boolean recentlyPushed(String sha) {
        synchronized (pushed) {
            Long at = pushed.get(sha);
            return at != null && System.currentTimeMillis() - at < PUSHED_VALID_MILLIS;
        }
    }

    /**
     * Submits one op, holding room in the window until it completes (waiting for room first). An
     * op with an origin gets this node's next sequence number here: apply takes a sequence at or
     * below the last one applied for a retry, so sequences must be sent in the order they are taken.
     */
    CompletableFuture<Result> submit(Op op, ByteBuffer data) throws IOException {
        int bytes = data == null ? 0 : data.remaining();
        acquire(bytes);
        CompletableFuture<Result> sent;
        try {
            synchronized (sendOrder) {
                Op stamped = op.origin().isNone() ? op : op.withOrigin(new Op.Origin(nodeId, ++seq));
                sent = proposer.submit(stamped, data);
            }
        } catch (RuntimeException e) {
            window.release(bytes);
            throw e;
        }
        return sent.whenComplete((r, e) -> window.release(bytes));
    }

    private void acquire(int bytes) throws IOException {
        try {
            window.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private void awaitRoom(long bytes) throws IOException {
        try {
            window.awaitRoom(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
