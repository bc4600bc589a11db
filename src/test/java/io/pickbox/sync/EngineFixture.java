package io.pickbox.sync;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.StagedFiles;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One sync engine, node "n1", over a folder: its index, local table, blob store and staged files,
 * with no peers, and a cluster the test plays through the {@link Proposer} it gives. Not started
 * and not listening to the index until the test says so.
 */
final class EngineFixture implements AutoCloseable {

    final Path root;
    final Index index = new Index();
    final LocalTable table;
    final BlobStore blobs;
    final StagedFiles staged;
    final Uploader uploader;
    final SyncEngine sync;
    private final AtomicLong logIndex = new AtomicLong();

    /** A cluster of one: every proposal is applied at once, in order with {@link #commit}. */
    static Function<EngineFixture, Proposer> clusterOfOne() {
        return f -> (op, data) -> CompletableFuture.completedFuture(f.commit(op));
    }

    /** A cluster that never answers: nothing proposed is committed while the test looks. */
    static Function<EngineFixture, Proposer> neverAnswers() {
        return f -> (op, data) -> new CompletableFuture<>();
    }

    EngineFixture(Path root, Path state, Function<EngineFixture, Proposer> cluster) throws Exception {
        this(root, state, cluster, null, SyncEngine.MAX_TRACKED);
    }

    /**
     * @param window     what the uploader may have in flight; null for its default
     * @param maxTracked how many paths the engine's scheduler tracks for changes committed elsewhere
     */
    EngineFixture(Path root, Path state, Function<EngineFixture, Proposer> cluster, ProposalWindow window, int maxTracked)
            throws Exception {
        this.root = root;
        table = new LocalTable(state.resolve("local"));
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(root);
        Proposer proposer = cluster.apply(this);
        uploader = window == null ? new Uploader("n1", index, proposer, h -> false)
                : new Uploader("n1", index, proposer, h -> false, ChunkPusher.NONE, window);
        Materializer materializer = new Materializer(root, blobs, staged,
                new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)), uploader.transfers);
        sync = new SyncEngine("n1", root, index, table, uploader, materializer, p -> false,
                SyncEngine.Settings.defaults(false), maxTracked);
    }

    /** Applies {@code op} as the next log entry. */
    Result commit(Op op) {
        synchronized (index) {
            return index.apply(op, logIndex.incrementAndGet());
        }
    }

    /** Applies {@code op} as the next log entry, stamped by the leader with {@code stampMillis} (the cluster's time). */
    Result commitAt(Op op, long stampMillis) {
        synchronized (index) {
            return index.applyEntry(List.of(op), 1, logIndex.incrementAndGet(), stampMillis).get(0);
        }
    }

    /** The blob of {@code content} is held here: a file of it committed elsewhere can be written. */
    void contentArrives(String content) throws java.io.IOException {
        byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        blobs.put(io.pickbox.folder.Hashing.sha256Hex(bytes), java.nio.ByteBuffer.wrap(bytes));
    }

    /** Committed changes reach the engine from now on. */
    EngineFixture listening() {
        index.addListener(sync);
        return this;
    }

    @Override
    public void close() throws Exception {
        sync.close();
        staged.close();
        table.close();
        blobs.close();
    }
}
