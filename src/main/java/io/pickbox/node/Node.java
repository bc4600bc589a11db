package io.pickbox.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pickbox.admin.AdminServer;
import io.pickbox.admin.LocalState;
import io.pickbox.admin.NodeMetrics;
import io.pickbox.folder.Ignores;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Index;
import io.pickbox.raft.PickboxStateMachine;
import io.pickbox.raft.RaftNode;
import io.pickbox.sync.LocalTable;
import io.pickbox.sync.SyncEngine;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.FolderChunks;
import io.pickbox.transfer.LocalChunks;
import io.pickbox.transfer.PeerChunkRoutes;
import io.pickbox.transfer.StagedFiles;
import io.pickbox.watch.FolderWatcher;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** One Pickbox node: wires the packages together and starts and stops them in order. */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    public static final String CLUSTER_NAME = "pickbox";

    private final NodeConfig config;
    private final Index index = new Index();
    private Predicate<String> ignored;
    private BlobStore blobs;
    private StagedFiles staged;
    private ChunkPusher pusher;
    private BlobFetcher fetcher;
    private RaftNode raft;
    private LocalTable table;
    private SyncEngine sync;
    private FolderWatcher watcher;
    private AdminServer admin;
    private final NodeMetrics metrics = new NodeMetrics();
    /** Start with an empty group and wait for an operator's {@code cluster add} instead of joining by itself. */
    private volatile boolean waitToBeAdded;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pickbox-timers");
        t.setDaemon(true);
        return t;
    });

    public Node(NodeConfig config) {
        this.config = config;
    }

    public void start() throws IOException {
        Path data = config.dataDir();
        Path state = config.stateDir();
        boolean folderExisted = Files.isDirectory(data);
        boolean folderEmpty = !folderExisted || isEmptyApartFromState(data);
        RaftNode.Settings raftSettings = new RaftNode.Settings(config.nodeId(), config.host(), config.port(),
                state.resolve("raft"), config.snapshotEvery(), SizeInBytes.valueOf(config.segmentBytes()));
        boolean hadState = RaftNode.hasState(raftSettings, CLUSTER_NAME);
        // Refuse before creating anything, so a refused start leaves the folder as it was.
        checkIdentity(state, hadState);
        if (hadState && !Files.isDirectory(data.resolve(PathValidator.STATE_DIR))) {
            throw new IOException("the folder " + data + " lost its .pickbox marker (unmounted or wiped?); refusing to start");
        }
        if (!hadState && config.join() == null && !waitToBeAdded && !folderEmpty && !config.bootstrap()) {
            throw new IOException("the folder " + data + " is not empty and this node has no state: "
                    + "use --join HOST:PORT to join a cluster (its files are merged) or --bootstrap to start a new cluster with them");
        }
        Files.createDirectories(state);
        Files.createDirectories(data.resolve(PathValidator.STATE_DIR));
        removeLeftoverTempFiles(data);
        blobs = new BlobStore(state.resolve("blobs"));
        raft = new RaftNode(raftSettings, CLUSTER_NAME, new PickboxStateMachine(index, blobs));

        table = new LocalTable(state.resolve("local"));
        // New rules change what is replicated: compare everything again.
        ignored = Ignores.forFolder(data, () -> {
            if (sync != null) sync.rescan("");
        }).asPredicate();
        fetcher = new BlobFetcher(blobs, this::peerAdminAddresses, config.adminToken());
        pusher = new ChunkPusher(this::everyPeerAdminAddress, config.adminToken());
        staged = new StagedFiles(data);
        LocalChunks chunks = new LocalChunks(blobs, new FolderChunks(data));
        sync = SyncEngine.create(config.nodeId(), data, index, table, metrics.timed((op, bytes) -> raft.submit(op, bytes)),
                blobs, staged, fetcher, pusher, ignored, SyncEngine.Settings.defaults(config.allowMassDelete()));
        index.addListener(sync);
        sync.setMetrics(metrics);
        index.addListener(metrics);
        LocalState localState = AdminWiring.localState(index, sync);
        metrics.bind(localState, raft::status, staged::bytesUsed);

        if (hadState) {
            raft.recover();
        } else if (waitToBeAdded) {
            raft.startUnjoined();
        } else if (config.join() != null) {
            raft.join(config.join(), false);
        } else {
            raft.bootstrap();
        }
        writeIdentity(state);
        admin = new AdminServer(AdminWiring.settings(config), raft::status, raft.membershipChanges(), localState,
                AdminWiring.files(index, sync, chunks), sync::explain,
                new PeerChunkRoutes(blobs, chunks, staged)::register, metrics.registry());
        index.addListener(admin.events());
        admin.start();
        if (waitToBeAdded && !hadState) {
            LOG.info("Waiting to be added: run `pickbox cluster add {} {}:{}` against any member", config.nodeId(),
                    config.host(), config.port());
            raft.awaitMembership();
        }

        awaitIndexCaughtUp();
        int[] missing = sync.missingFiles();
        if (sync.isMassDelete(missing[0], missing[1])) {
            throw new IOException(missing[0] + " of " + missing[1] + " synced files are missing from " + data
                    + "; refusing to propose deleting them. If that is intended, start with --allow-mass-delete");
        }
        announceAdminAddressBeforeStarting();
        // A rename from one of this node's temp files is the Materializer putting a file in place,
        // recorded in the local table as it did so.
        watcher = FolderWatcher.create(data, ignored, PathValidator::isTempName, metrics.watching(sync));
        watcher.start();
        sync.start();
        long every = config.verifyInterval().toMillis();
        timers.scheduleWithFixedDelay(sync::scanAll, every, every, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::syncTable, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(staged::dropAbandoned, 30, 30, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(new IdleTrim(() -> index.appliedOps() * 31 + sync.pendingCount(), 3), 1, 1, TimeUnit.SECONDS);
        LOG.info("Node {} started: folder {}, raft {}:{}, admin http://{}", config.nodeId(), data, config.host(),
                config.port(), config.adminAddress());
    }

    /** After a restart the log is replayed: act only once the index is at least where this node's folder is. */
    private void awaitIndexCaughtUp() {
        long target = table.maxVersion();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (index.versionClock() < target && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (index.versionClock() < target) {
            LOG.warn("The index has not caught up with this folder's last synced state yet; syncing anyway");
        }
    }

    private void syncTable() {
        try {
            table.sync();
        } catch (IOException e) {
            LOG.warn("Cannot write the local table: {}", e.toString());
        }
    }

    /** A crash mid-materialization leaves a temp file: it is never a committed version, so it goes. */
    private static void removeLeftoverTempFiles(Path data) throws IOException {
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : (Iterable<Path>) s.filter(p -> PathValidator.isTempName(p.getFileName().toString()))::iterator) {
                Files.deleteIfExists(p);
                LOG.info("Removed a partial file left by a crash: {}", data.relativize(p));
            }
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("Could not look for leftover temp files: {}", e.getCause().toString());
        }
    }

    private static boolean isEmptyApartFromState(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            return s.allMatch(p -> p.getFileName().toString().equals(PathValidator.STATE_DIR));
        }
    }

    private void checkIdentity(Path state, boolean hadState) throws IOException {
        Path file = state.resolve("node.json");
        if (!Files.exists(file)) return;
        var json = new ObjectMapper().readTree(file.toFile());
        String id = json.path("nodeId").asText();
        if (hadState && !id.equals(config.nodeId())) {
            throw new IOException("this folder belongs to node " + id + ", not " + config.nodeId());
        }
    }

    private void writeIdentity(Path state) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("nodeId", config.nodeId());
        json.put("cluster", CLUSTER_NAME);
        json.put("port", config.port());
        json.put("adminPort", config.adminPort());
        mapper.writerWithDefaultPrettyPrinter().writeValue(state.resolve("node.json").toFile(), json);
    }

    /** Admin addresses of the other members (where chunks can be fetched). */
    private List<String> peerAdminAddresses() {
        List<String> out = new ArrayList<>();
        try {
            Map<String, String> known = index.peerAddresses();
            for (String id : raft.otherMemberIds()) {
                String address = known.get(id);
                if (address != null) out.add(address);
            }
        } catch (IOException e) {
            LOG.debug("no group yet", e);
        }
        return out;
    }

    /**
     * Admin addresses of every other member, or empty while one of them has not announced its
     * address yet: a chunk pushed to these is held by every member.
     */
    private Optional<List<String>> everyPeerAdminAddress() {
        try {
            Map<String, String> known = index.peerAddresses();
            List<String> out = new ArrayList<>();
            for (String id : raft.otherMemberIds()) {
                String address = known.get(id);
                if (address == null) return Optional.empty();
                out.add(address);
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Tells the cluster where this node's admin API is, unless it already knows; retried until committed. */
    /**
     * Peers need this node's admin address to fetch chunks from it. Announced before the node
     * reports itself started, so no stray op lands later; without quorum it goes on in the background.
     */
    private void announceAdminAddressBeforeStarting() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!config.adminAddress().equals(index.peerAddresses().get(config.nodeId())) && System.nanoTime() < deadline) {
            try {
                sync.writer().announce(config.adminAddress()).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("Announcing the admin address failed, retrying: {}", e.toString());
            }
        }
        announceAdminAddress();
    }

    private void announceAdminAddress() {
        if (config.adminAddress().equals(index.peerAddresses().get(config.nodeId()))) return;
        sync.writer().announce(config.adminAddress()).whenComplete((r, e) -> {
            if (e != null) timers.schedule(this::announceAdminAddress, 1, TimeUnit.SECONDS);
        });
    }

    public NodeConfig config() {
        return config;
    }

    public Index index() {
        return index;
    }

    public RaftNode raft() {
        return raft;
    }

    /** Before {@link #start()}: a node without state starts with an empty group and waits to be added. */
    public Node waitToBeAdded(boolean wait) {
        this.waitToBeAdded = wait;
        return this;
    }

    /** Stops the node; a second call does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        timers.shutdownNow();
        if (watcher != null) watcher.close();
        if (sync != null) sync.close();
        if (admin != null) admin.close();
        if (staged != null) staged.close();
        if (pusher != null) pusher.close();
        if (fetcher != null) fetcher.close();
        Optional<String> successor = raft == null ? Optional.empty() : raft.stop();
        if (blobs != null) blobs.close();
        try {
            if (table != null) table.close();
        } catch (IOException e) {
            LOG.warn("Closing the local table failed: {}", e.toString());
        }
        LOG.info("Node {} stopped{}", config.nodeId(), successor.map(s -> "; leadership handed to " + s).orElse(""));
    }
}
