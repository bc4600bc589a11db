package io.pickbox.raft;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import io.pickbox.transfer.BlobStore;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.LogProtoUtils;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis state machine: validates proposals statelessly, stages chunk bytes in the blob
 * store as Ratis writes them, hands committed ops to the {@link Index} (one store batch per entry),
 * and takes snapshots as checkpoints of the store.
 */
public final class PickboxStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(PickboxStateMachine.class);
    public static final int MAX_CHUNK = 1 << 20;

    private final Index index;
    private final BlobStore blobs;
    private final LeaderClock clock;
    private final CheckpointStorage storage = new CheckpointStorage(Index.NAMESPACE);
    private final java.util.TreeMap<Long, CompletableFuture<Void>> appliedWaiters = new java.util.TreeMap<>();
    /** Unused chunks younger than this stay, for uploads still in progress. */
    private static final java.time.Duration BLOB_GRACE = java.time.Duration.ofMinutes(10);
    private volatile boolean stopping;
    private final ApplyPacing pacing = new ApplyPacing(this::ownCommit, this::clusterCommit, this::awaitApplied,
            ApplyPacing.LAG, ApplyPacing.MAX_WAIT);
    private volatile RaftServer.Division division;
    private volatile Instant lastSnapshotAt;
    private volatile Instant previousSnapshotAt;
    /** Bytes whose blob write is still under way (bounded by the blob writers' queue). */
    private final java.util.concurrent.ConcurrentHashMap<String, ByteString> staging = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Writes entry data to the blob store. The queue is short and a full queue makes the caller
     * write itself, which slows a follower's appends to its disk's pace.
     */
    private final ExecutorService blobWriters = new java.util.concurrent.ThreadPoolExecutor(3, 3, 0, TimeUnit.SECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(6), r -> {
                Thread t = new Thread(r, "pickbox-blob-writer");
                t.setDaemon(true);
                return t;
            }, (task, pool) -> {
                if (pool.isShutdown()) throw new java.util.concurrent.RejectedExecutionException("closing");
                task.run();
            });

    public PickboxStateMachine(Index index, BlobStore blobs) {
        this.index = index;
        this.blobs = blobs;
        this.clock = new LeaderClock(System::currentTimeMillis, () -> index.committedTime());
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadState, IOException.class);
        // Ratis opens its log after this: one left behind by an install a crash cut short goes first
        SnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null) {
            StaleLog.dropIfBefore(raftStorage.getStorageDir().getCurrentDir().toPath(), latest.getIndex(),
                    RaftServerConfigKeys.Log.Appender.bufferByteLimit(server.getProperties()));
        } else {
            StaleLog.dropIfAfterGap(raftStorage.getStorageDir().getCurrentDir().toPath(), index.appliedIndex());
        }
    }

    /**
     * A member stopping on purpose: what Ratis does on its way out (a last snapshot, the leader
     * change of a handover) is part of the stop, which the node reports in one line.
     */
    void stopping() {
        stopping = true;
    }

    /** One INFO line per leader change, on every node (this node became leader, or follows another). */
    @Override
    public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId groupMemberId,
                                    org.apache.ratis.protocol.RaftPeerId newLeaderId) {
        if (newLeaderId == null || stopping) return;
        if (newLeaderId.equals(groupMemberId.getPeerId())) {
            LOG.info("This node ({}) became the leader", groupMemberId.getPeerId());
        } else {
            LOG.info("Leader is now {}", newLeaderId);
        }
    }

    /** Told, on the apply thread, of each configuration this node applies (from its log or a checkpoint). */
    private volatile java.util.function.Consumer<org.apache.ratis.proto.RaftProtos.RaftConfigurationProto> configurationApplied =
            conf -> {};

    void onConfigurationApplied(java.util.function.Consumer<org.apache.ratis.proto.RaftProtos.RaftConfigurationProto> handler) {
        configurationApplied = handler;
    }

    @Override
    public void notifyConfigurationChanged(long term, long index, org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
        configurationApplied.accept(conf);
    }

    /** Told when Ratis fails to write (or read back) the log: see {@link RaftNode}'s log failure. */
    private volatile java.util.function.Consumer<Throwable> logFailed = cause -> {};

    void onLogFailed(java.util.function.Consumer<Throwable> handler) {
        logFailed = handler;
    }

    @Override
    public void notifyLogFailed(Throwable cause, org.apache.ratis.proto.RaftProtos.LogEntryProto failedEntry) {
        logFailed.accept(cause);
    }

    /** Told when an entry could not be applied (the store failed): see {@link RaftNode}'s apply failure. */
    private volatile java.util.function.BiConsumer<Long, RuntimeException> applyFailed = (index, cause) -> {};

    void onApplyFailed(java.util.function.BiConsumer<Long, RuntimeException> handler) {
        applyFailed = handler;
    }

    @Override
    public CheckpointStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After Ratis installed a checkpoint from the leader in the state machine's directory: take it in and resume. */
    @Override
    public void reinitialize() throws IOException {
        storage.reload();
        storage.syncLatest();
        loadState();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /**
     * Brings the index and the snapshots into line, so that Ratis resumes applying right after the
     * last entry the store holds (it resumes after the latest snapshot): an index snapshot of the
     * old single-file format is loaded into an empty store; a checkpoint ahead of the store
     * (installed from the leader, or left by an install a crash cut short) replaces the index;
     * checkpoints of the whole store (an earlier version's) are dropped; a store ahead of its latest
     * checkpoint gets a checkpoint at its applied entry.
     */
    private void loadState() throws IOException {
        if (!Index.present(index.store())) LegacySnapshot.migrate(storage.directory(), index);
        CheckpointStorage.deleteTree(installScratch());
        installNewestIntact();
        int wide = storage.removeWide();
        if (wide > 0) LOG.info("Dropped {} checkpoints of the whole store: checkpoints now hold the index only", wide);
        if (index.appliedIndex() > 0) {
            TermIndex applied = TermIndex.valueOf(index.appliedTerm(), index.appliedIndex());
            SnapshotInfo snapshot = storage.getLatestSnapshot();
            if (snapshot == null || snapshot.getIndex() < applied.getIndex()) {
                index.store().sync();
                storage.take(index.store(), applied);
            }
            updateLastAppliedTermIndex(applied);
            appliedUpTo(applied.getIndex());
        }
        LegacySnapshot.deleteAll(storage.directory());
        if (index.appliedIndex() > 0) {
            LOG.info("Index at entry {} of term {} ({} paths)", index.appliedIndex(), index.appliedTerm(), index.size());
        } else {
            LOG.info("Index empty: nothing applied yet");
        }
    }

    /**
     * Installs the newest checkpoint ahead of the store; one that fails its checks (torn or altered
     * on disk) is moved aside and the one before it tried. With none left, the store stays as it is
     * and Ratis brings it up to date: from its log, or from the leader's checkpoint.
     */
    private void installNewestIntact() throws IOException {
        Path latest;
        while ((latest = storage.latestDirectory()) != null
                && CheckpointStorage.termIndexOf(latest).getIndex() > index.appliedIndex()) {
            try {
                install(latest, CheckpointStorage.termIndexOf(latest));
                return;
            } catch (IOException | RuntimeException damaged) {
                storage.moveAside(latest, damaged.getMessage());
            }
        }
    }

    /** Replaces the index with the one in a checkpoint (verified first), opened aside from the node's store. */
    private void install(Path checkpoint, TermIndex at) throws IOException {
        LOG.info("Installing the index checkpoint at {}", at);
        CheckpointStorage.verify(checkpoint);
        Path scratch = installScratch();
        CheckpointStorage.deleteTree(scratch);
        Files.createDirectories(scratch);
        try (var files = Files.list(checkpoint)) {
            for (Path f : files.filter(p -> !p.toString().endsWith(CheckpointStorage.MD5_SUFFIX)).toList()) {
                Path copy = scratch.resolve(f.getFileName().toString());
                // table files are immutable: linked; the rest (manifest, options, log) change when opened: copied
                if (f.toString().endsWith(".sst")) Files.createLink(copy, f);
                else Files.copy(f, copy);
            }
        }
        try (Store source = Store.open(scratch, StoreOptions.SMALL)) {
            if (!Index.present(source)) throw new IOException("checkpoint " + checkpoint + " holds no index");
            index.replaceWith(source);
        } finally {
            CheckpointStorage.deleteTree(scratch);
        }
        if (index.appliedIndex() < at.getIndex()) index.markApplied(at.getTerm(), at.getIndex());
        LOG.info("Installed the index checkpoint at {} ({} entries)", at, index.size());
    }

    private Path installScratch() {
        return index.store().directory().toAbsolutePath().resolveSibling("store.install");
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() <= 0) return -1;
        SnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= applied.getIndex()) return latest.getIndex();
        // entries that change no index state (configuration) move the applied index too
        if (index.appliedIndex() < applied.getIndex()) index.markApplied(applied.getTerm(), applied.getIndex());
        index.store().sync();
        storage.take(index.store(), applied);
        if (stopping) {
            LOG.debug("Took an index checkpoint at {} ({} entries)", applied, index.size());
        } else {
            LOG.info("Took an index checkpoint at {} ({} entries)", applied, index.size());
        }
        collectBlobs();
        return applied.getIndex();
    }

    /**
     * Drops chunks no committed file needs, current or kept in the history. Only chunks written
     * before the snapshot before last go: the log entries that carried them are purged, so Ratis
     * will never ask to resend them.
     */
    private void collectBlobs() {
        Instant now = Instant.now();
        Instant cutoff = previousSnapshotAt;
        previousSnapshotAt = lastSnapshotAt;
        lastSnapshotAt = now;
        if (cutoff == null) return;
        Instant safe = cutoff.isBefore(now.minus(BLOB_GRACE)) ? cutoff : now.minus(BLOB_GRACE);
        blobWriters.execute(() -> {
            try {
                int n = blobs.collect(h -> index.hasChunk(h) || index.historyHasChunk(h), safe);
                if (n > 0) LOG.info("Removed {} chunks no committed file or kept version needs", n);
            } catch (IOException e) {
                LOG.warn("Collecting unused chunks failed: {}", e.toString());
            }
        });
    }

    // ---------------------------------------------------------------- proposals

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        ByteString content = request.getMessage().getContent();
        TransactionContext.Builder b = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
        try {
            Proposal p = Proposal.parse(content);
            ProposalValidation.validate(p);
            // The bytes (a chunk, or the small files of a batch) go outside the log: write() stores
            // them as blobs on every node, and the log keeps only the header.
            b.setStateMachineContext(p).setLogData(Proposal.stamped(p.headerOnly(), clock.next()));
            if (!p.data().isEmpty()) b.setStateMachineData(p.data());
            return b.build();
        } catch (IllegalArgumentException e) {
            TransactionContext trx = b.setLogData(ByteString.EMPTY).build();
            trx.setException(new IllegalArgumentException("refused: " + e.getMessage()));
            return trx;
        }
    }

    /**
     * An entry appended from the leader: its transaction stays in Ratis until the entry is applied,
     * so it keeps the header alone (Ratis's own would keep the entry's files too; write() has them).
     */
    @Override
    public TransactionContext startTransaction(LogEntryProto entry, RaftPeerRole role) {
        return TransactionContext.newBuilder().setStateMachine(this)
                .setLogEntry(LogProtoUtils.removeStateMachineData(entry)).setServerRole(role).build();
    }

    // ---------------------------------------------------------------- data outside the log

    @Override
    public CompletableFuture<?> write(LogEntryProto entry, TransactionContext context) {
        ByteString data = entry.getStateMachineLogEntry().getStateMachineEntry().getStateMachineData();
        if (data.isEmpty()) return CompletableFuture.completedFuture(null);
        Proposal p = proposalOf(entry, context);
        Map<String, ByteString> blobsOfEntry = new Proposal(p.ops(), p.header(), data).blobs();
        // Ratis may resend the entry (read()) before its blobs are on disk: serve them from here meanwhile.
        staging.putAll(blobsOfEntry);
        // On the leader startTransaction already checked a chunk against its hash; elsewhere check it.
        boolean proposedHere = context != null && context.getClientRequest() != null;
        CompletableFuture<Void> stored = CompletableFuture.runAsync(() -> {
            try {
                if (p.op() instanceof Op.Chunk c) {
                    blobs.put(c.sha256(), data.asReadOnlyByteBuffer(), proposedHere);
                } else {
                    // Small files: one blob each, made durable by flush() before Ratis flushes its log.
                    for (var f : blobsOfEntry.entrySet()) blobs.putUnsynced(f.getKey(), f.getValue().asReadOnlyByteBuffer());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                blobsOfEntry.forEach(staging::remove);
            }
        }, blobWriters);
        // A leader's own entries are bounded by its pending requests; those it sends wait for our apply.
        return proposedHere ? stored : stored.thenCompose(v -> pacing.admit(entry.getIndex()));
    }

    /**
     * Ratis calls this before it flushes its log, once every entry up to {@code logIndex} is written
     * (it waits for {@link #write}), and acknowledges those entries only after both: one flush of
     * the pack makes the small files of all of them durable (it was one flush per entry; a joining
     * node replays hundreds of entries).
     */
    @Override
    public CompletableFuture<Void> flush(long logIndex) {
        try {
            blobs.syncUnsynced();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Served synchronously: an entry carries at most 1 MiB, usually in the page cache. */
    @Override
    public CompletableFuture<ByteString> read(LogEntryProto entry, TransactionContext context) {
        Proposal p = proposalOf(entry, context);
        try {
            ByteString all = ByteString.EMPTY;
            for (String sha256 : p.blobHashes()) all = all.concat(blobBytes(sha256));
            return CompletableFuture.completedFuture(all);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ByteString blobBytes(String sha256) throws IOException {
        ByteString staged = staging.get(sha256);
        if (staged != null) return staged;
        try {
            return UnsafeByteOperations.unsafeWrap(blobs.read(sha256));
        } catch (IOException e) {
            staged = staging.get(sha256); // the write may have finished between the two looks
            if (staged != null) return staged;
            throw e;
        }
    }

    private static Proposal proposalOf(LogEntryProto entry, TransactionContext context) {
        if (context != null && context.getStateMachineContext() instanceof Proposal p) return p;
        return Proposal.parseLogged(entry.getStateMachineLogEntry().getLogData());
    }

    // ---------------------------------------------------------------- apply

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        List<Result> results = new ArrayList<>();
        try {
            ByteString logData = entry.getStateMachineLogEntry().getLogData();
            Proposal p = Proposal.parse(logData);
            results = index.applyEntry(p.ops(), entry.getTerm(), entry.getIndex(), p.stamp());
        } catch (IllegalArgumentException e) {
            // Validated on the leader, so this means a corrupt entry: decide it (deterministically) as rejected.
            results = List.of(Result.rejected(null, "undecodable op: " + e.getMessage()));
            index.markApplied(entry.getTerm(), entry.getIndex());
        } catch (RuntimeException e) {
            // Not a decision but a failure (the store could not be read or written): Ratis stops
            // this member on it, and a member that stopped applying must not live on looking alive.
            if (!stopping) applyFailed.accept(entry.getIndex(), e);
            throw e;
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        appliedUpTo(entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(OpCodec.encodeResults(results))));
    }

    /** A configuration or metadata entry applied: whoever waits for its index is told too. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index);
        appliedUpTo(index);
    }

    /**
     * Completes once this node has applied {@code logIndex}: a proposer acts on a result only when
     * its own index shows it (the reply comes from the leader, which may be ahead).
     */
    public CompletableFuture<Void> awaitApplied(long logIndex) {
        synchronized (appliedWaiters) {
            TermIndex applied = getLastAppliedTermIndex();
            if (applied != null && applied.getIndex() >= logIndex) return CompletableFuture.completedFuture(null);
            return appliedWaiters.computeIfAbsent(logIndex, i -> new CompletableFuture<>());
        }
    }

    private long ownCommit() {
        RaftServer.Division d = division();
        return d == null ? 0 : d.getRaftLog().getLastCommittedIndex();
    }

    private long clusterCommit() {
        RaftServer.Division d = division();
        if (d == null) return 0;
        long max = 0;
        for (var info : d.getCommitInfos()) max = Math.max(max, info.getCommitIndex());
        return max;
    }

    /** This state machine's Raft division, once the server has it (null before). */
    private RaftServer.Division division() {
        RaftServer.Division d = division;
        if (d != null) return d;
        try {
            CompletableFuture<RaftServer> server = getServer();
            if (server == null || !server.isDone()) return null;
            d = server.join().getDivision(getGroupId());
        } catch (IOException | RuntimeException e) {
            return null;
        }
        division = d;
        return d;
    }

    private void appliedUpTo(long index) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (appliedWaiters) {
            if (appliedWaiters.isEmpty()) return;
            var head = appliedWaiters.headMap(index, true);
            ready.addAll(head.values());
            head.clear();
        }
        ready.forEach(f -> f.complete(null));
    }

    @Override
    public void close() throws IOException {
        blobWriters.shutdown();
        super.close();
    }
}
