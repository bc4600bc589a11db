package io.pickbox.node;

import io.pickbox.admin.AdminServer;
import io.pickbox.admin.LocalState;
import io.pickbox.admin.NodeMetrics;
import io.pickbox.folder.Ignores;
import io.pickbox.folder.LeftoverTemps;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.HistoryStatus;
import io.pickbox.index.Index;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;
import io.pickbox.os.Durability;
import io.pickbox.os.Durability;
import io.pickbox.raft.PickboxStateMachine;
import io.pickbox.raft.RaftNode;
import io.pickbox.raft.RaftSecurity;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.PeerServer;
import io.pickbox.trust.ClusterIds;
import io.pickbox.trust.InvalidTokenException;
import io.pickbox.trust.InviteToken;
import io.pickbox.trust.NodeTls;
import io.pickbox.trust.Role;
import io.pickbox.trust.TlsFiles;
import org.apache.ratis.protocol.RaftGroupId;
import io.pickbox.store.NativeLibrary;
import io.pickbox.store.Store;
import io.pickbox.store.StoreException;
import io.pickbox.store.StoreOptions;
import io.pickbox.sync.LocalTable;
import io.pickbox.sync.MassChangeDetector;
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
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** One Pickbox node: wires the packages together and starts and stops them in order. */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** The store's memory buffers are written out when the node falls idle if they hold this much (less is read back at once). */
    private static final long IDLE_FLUSH_BYTES = 1L << 20;

    private final NodeConfig config;
    private volatile Index index;
    private Predicate<String> ignored;
    private BlobStore blobs;
    private StagedFiles staged;
    private ChunkPusher pusher;
    private BlobFetcher fetcher;
    private RaftNode raft;
    private Store store;
    private LocalTable table;
    private SyncEngine sync;
    private MassChangeDetector massChanges;
    private FolderWatcher watcher;
    private AdminServer admin;
    private PeerServer peers;
    private NodeTls tls;
    private Admission admission;
    private final NodeMetrics metrics = new NodeMetrics();
    /** Start with an empty group and wait for an operator's {@code cluster add} instead of joining by itself. */
    private volatile boolean waitToBeAdded;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Told when this node can no longer take part in its cluster until restarted. */
    private volatile java.util.function.Consumer<String> onFatal = why -> {};
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pickbox-timers");
        t.setDaemon(true);
        return t;
    });

    public Node(NodeConfig config) {
        this.config = config;
    }

    public void start() throws IOException {
        // Refuse before creating anything, so a refused start leaves the folder (and the cluster) as it was.
        try (FreePorts ports = FreePorts.hold(config)) {
            start(ports);
        }
    }

    /** Starts the node; each of {@code ports} is let go just before its server binds it. */
    private void start(FreePorts ports) throws IOException {
        Path data = config.dataDir();
        Path state = config.stateDir();
        boolean folderExisted = Files.isDirectory(data);
        boolean folderEmpty = !folderExisted || isEmptyApartFromState(data);
        RaftNode.Settings raftSettings = new RaftNode.Settings(config.nodeId(), config.host(), config.port(),
                state.resolve("raft"), config.snapshotEvery(), SizeInBytes.valueOf(config.segmentBytes()));
        Optional<RaftGroupId> existingGroup = RaftNode.existingGroup(raftSettings.storageDir());
        boolean hadState = existingGroup.isPresent();
        NodeConfig.Security security = config.security();
        TlsFiles tlsFiles = TlsFiles.in(state);
        checkIdentity(state, hadState);
        InviteToken invite = hadState || config.join() == null ? null : inviteOf(security);
        boolean managedTls = !security.insecure() && !security.externalPki();
        if (hadState && managedTls && !tlsFiles.exists()) {
            throw new IOException("this node has cluster state but no TLS identity in " + tlsFiles.dir()
                    + " (it ran before clusters had identities, or with --insecure): start it with --insecure, "
                    + "or remove its state and join again with an invite");
        }
        if (!hadState && config.join() != null && managedTls && invite == null) {
            throw new IOException("--join needs an invite: run `pickbox cluster invite` on a member and pass the token "
                    + "with --token-file FILE (or --token TOKEN)");
        }

        if (hadState && !Files.isDirectory(data.resolve(PathValidator.STATE_DIR))) {
            throw new IOException("the folder " + data + " lost its .pickbox marker (unmounted or wiped?); refusing to start");
        }
        if (!hadState && config.join() == null && !waitToBeAdded && !folderEmpty && !config.bootstrap()) {
            throw new IOException("the folder " + data + " is not empty and this node has no state: "
                    + "use --join HOST:PORT to join a cluster (its files are merged) or --bootstrap to start a new cluster with them");
        }
        // A node's first certificate comes before anything else is created: a refused invite leaves nothing behind.
        // A node waiting to be added is sent its certificate on its Raft port, and may wait for
        // hours: clients of its other ports are refused meanwhile, not kept waiting.
        if (waitToBeAdded && !tlsFiles.exists()) ports.close();
        tls = tlsIdentity(security, tlsFiles, invite);
        Durability.current().createDirectories(state);
        Durability.current().createDirectories(data.resolve(PathValidator.STATE_DIR));
        Path raftDir = raftSettings.storageDir();
        RaftDiskRoom.await(raftDir, RaftDiskRoom.needed(config.segmentBytes()), () -> RaftDiskRoom.usable(raftDir));
        LeftoverTemps.remove(data);
        String clusterId = tls != null ? tls.clusterId() : clusterIdOf(state);
        RaftSecurity raftSecurity;
        PeerAccess peerAccess;
        if (tls == null) {
            LOG.warn("TLS is off (--insecure): anyone who can reach ports {}, {} and {} can read and change this cluster's files",
                    config.port(), config.peerPort(), config.adminPort());
            raftSecurity = RaftSecurity.insecure();
            peerAccess = PeerAccess.plaintext(config.adminToken());
        } else {
            raftSecurity = RaftSecurity.tls(tls, this::isRevoked);
            tls.trustManager().onRefusal(reason -> raftSecurity.refusals().refused("a TLS peer", reason));
            peerAccess = PeerAccess.tls(tls.sslContext());
        }
        RaftGroupId groupId;
        if (hadState) {
            groupId = existingGroup.get();
        } else if (config.join() != null) {
            groupId = invite != null ? RaftNode.groupIdOf(invite.clusterId()) : RaftNode.discoverGroup(config.join(), raftSecurity);
        } else if (waitToBeAdded) {
            // With its certificate, a node knows its cluster; a plaintext one learns it when added.
            groupId = clusterId == null ? null : RaftNode.groupIdOf(clusterId);
        } else {
            if (clusterId == null) clusterId = ClusterIds.newClusterId();
            groupId = RaftNode.groupIdOf(clusterId);
        }
        NativeLibrary.loadFrom(state.resolve("lib"));
        store = Store.openRepairing(state.resolve("store"), StoreOptions.DEFAULT);
        blobs = new BlobStore(state.resolve("blobs"), store);
        index = new Index(store);
        raft = new RaftNode(raftSettings, config.raftAddress(), groupId, new PickboxStateMachine(index, blobs), raftSecurity);
        raft.onFailure(why -> onFatal.accept(why));
        table = new LocalTable(store, state.resolve("local"));
        // New rules change what is replicated: compare everything again.
        ignored = Ignores.forFolder(data, () -> {
            if (sync != null) sync.rescan("");
        }).asPredicate();
        fetcher = new BlobFetcher(blobs, this::peerAddresses, peerAccess);
        pusher = new ChunkPusher(this::everyPeerAddress, peerAccess);
        staged = new StagedFiles(data);
        LocalChunks chunks = new LocalChunks(blobs, new FolderChunks(data));
        sync = SyncEngine.create(config.nodeId(), data, index, table, metrics.timed((op, bytes) -> raft.submit(op, bytes)),
                blobs, staged, fetcher, pusher, ignored, SyncEngine.Settings.defaults(config.allowMassDelete()), state.resolve("attic"));
        index.addListener(sync);
        sync.setMetrics(metrics);
        index.addListener(metrics);
        massChanges = new MassChangeDetector(config.history().massChanges(), index::committedTime, System::currentTimeMillis);
        index.addListener(massChanges);
        metrics.bind(massChanges);
        LocalState localState = AdminWiring.localState(index, sync, state, massChanges);
        metrics.bind(localState, raft::status, staged::bytesUsed);
        metrics.bindHistory(index::historyStatus);

        ports.releaseRaft();
        boolean learner = tls != null && tls.self().role() == Role.LEARNER;
        if (hadState) {
            raft.recover(config.join(), learner);
        } else if (waitToBeAdded) {
            raft.startUnjoined();
        } else if (config.join() != null) {
            raft.join(config.join(), learner);
        } else {
            raft.bootstrap();
        }
        writeIdentity(state, clusterId);
        if (tls != null) {
            admission = new Admission(tls, index, sync.writer(), raft, security.certLifetime());
            raftSecurity.admitWith(admission);
        }
        if (tls != null && !security.externalPki()) {
            CertificateRenewal renewal = new CertificateRenewal(tls, config.certificateNames(), security.certLifetime(),
                    this::voterAddresses, this::announceInBackground);
            long every = CertificateRenewal.checkInterval(security.certLifetime()).toMillis();
            if (tls.ca().canSign()) renewal.run();
            timers.scheduleWithFixedDelay(renewal, every, every, TimeUnit.MILLISECONDS);
        }
        peers = new PeerServer(config.host(), config.peerPort(), peerAccess,
                cert -> isRevoked(cert.getSerialNumber()), new PeerChunkRoutes(blobs, chunks, staged));
        admin = new AdminServer(AdminWiring.settings(config, tls == null ? null : tls.sslContext()), raft::status, raft.membershipChanges(),
                AdminWiring.trust(admission, index), localState, AdminWiring.files(index, sync, chunks), AdminWiring.history(index, sync),
                sync::explain,
                metrics.registry());
        index.addListener(admin.events());
        AdminServer events = admin;
        massChanges.onFlag((logIndex, change) -> events.notice(logIndex, change.describe()));
        // Both servers take a while to start and nothing below needs them: a restarted node acts on
        // what it missed meanwhile, and is current sooner.
        CompletableFuture<Void> servers = CompletableFuture.runAsync(() -> {
            ports.releasePeer();
            peers.start();
            ports.releaseAdmin();
            admin.start();
        }, Node::startThread);
        try {
            startSyncing(data, hadState);
        } catch (IOException | RuntimeException e) {
            servers.exceptionally(ignored -> null).join();
            throw e;
        }
        awaitStarted(servers);
        scheduleVerify(config.verifyInterval().toMillis());
        timers.scheduleWithFixedDelay(this::syncTable, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(staged::dropAbandoned, 30, 30, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(new IdleTrim(() -> index.appliedOps() * 31 + sync.pendingCount(), 3, () -> {
            try {
                store.flushMemtables(IDLE_FLUSH_BYTES);
            } catch (RuntimeException e) {
                LOG.debug("Writing the store's buffers out failed: {}", e.toString());
            }
            IdleTrim.giveMemoryBack();
        }), 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(new HistoryTicks(this::leads, index::historyStatus, () -> sync.history().tick(),
                System::currentTimeMillis), 1, 1, TimeUnit.MINUTES);
        timers.execute(this::configureHistory);
        LOG.info("Node {} started: folder {}, raft {}, peer {}, admin http://{}{}", config.nodeId(), data, config.raftAddress(),
                config.peerAddress(), config.adminAddress(), tls == null ? " (TLS off)" : "");
    }

    /**
     * From a caught-up index to a folder kept in step: the watcher first, so that the first scan
     * misses no change.
     */
    private void startSyncing(Path data, boolean hadState) throws IOException {
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
        announceBeforeStarting();
        // A rename from one of this node's temp files is the Materializer putting a file in place,
        // recorded in the local table as it did so.
        watcher = FolderWatcher.create(data, ignored, PathValidator::isTempName, metrics.watching(sync));
        watcher.start();
        sync.start();
    }

    private static void startThread(Runnable task) {
        Thread t = new Thread(task, "pickbox-start-servers");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for the peer and admin servers started beside the rest; their failure is the start's. */
    private static void awaitStarted(CompletableFuture<Void> servers) throws IOException {
        try {
            servers.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    /**
     * The verify scan (it catches what the watcher missed), again after the configured interval, or
     * later when a scan is costly: it uses at most a quarter of 1 % of a core ({@link #VERIFY_CPU_SHARE}).
     */
    private void scheduleVerify(long delayMillis) {
        if (closed.get()) return;
        try {
            timers.schedule(() -> sync.verify().whenComplete((cost, error) -> {
                if (error != null) LOG.warn("Verify scan failed: {}", error.toString());
                scheduleVerify(nextVerifyDelay(config.verifyInterval().toMillis(), cost));
            }), delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closing
        }
    }

    /**
     * The share of a core verify scans may use: a quarter of what an idle node may use in all. At a
     * million files that is a scan every 20 minutes or so (Syncthing's full rescan comes hourly).
     */
    static final double VERIFY_CPU_SHARE = 0.0025;

    /** The configured interval, or as long as it takes for the last scan's CPU time to be {@link #VERIFY_CPU_SHARE} of it. */
    static long nextVerifyDelay(long configuredMillis, SyncEngine.ScanCost last) {
        if (last == null) return configuredMillis;
        return Math.max(configuredMillis, Math.round(last.cpuSeconds() * 1000 / VERIFY_CPU_SHARE));
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

    /**
     * --history-days and --history-max-bytes set the cluster's history settings: once the node
     * runs, those given that differ from the committed ones are proposed (again a second later
     * while the cluster cannot take them).
     */
    private void configureHistory() {
        if (closed.get()) return;
        HistoryStatus committed = index.historyStatus();
        NodeConfig.History.Change change = config.history().changeFrom(committed.days(), committed.maxBytesSetting());
        if (change == null) return;
        int days = change.days();
        long maxBytes = change.maxBytes();
        sync.history().configure(days, maxBytes).whenComplete((r, e) -> {
            if (e == null && r.status() == Result.Status.REJECTED) {
                LOG.warn("The cluster refused the history settings of this node's options: {}", r.detail());
            } else if (e == null) {
                LOG.info("History settings for the cluster, from this node's options: {}{}",
                        days < 0 ? "" : "versions kept " + days + " days",
                        maxBytes < 0 ? "" : (days < 0 ? "" : ", ") + "at most " + (maxBytes == 0 ? "a share of the folder's size" : maxBytes + " bytes"));
            } else {
                LOG.debug("Setting the history settings failed, retrying: {}", e.toString());
                try {
                    timers.schedule(this::configureHistory, 1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // closing
                }
            }
        });
    }

    private void syncTable() {
        try {
            table.sync();
        } catch (IOException e) {
            LOG.warn("Cannot write the local table: {}", e.toString());
        }
    }

    /** A crash mid-materialization leaves a temp file: it is never a committed version, so it goes. */
    private static boolean isEmptyApartFromState(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            return s.allMatch(p -> p.getFileName().toString().equals(PathValidator.STATE_DIR));
        }
    }

    private void checkIdentity(Path state, boolean hadState) throws IOException {
        NodeFile.Identity identity = NodeFile.read(state);
        if (identity == null) return;
        String id = identity.nodeId();
        if (hadState && !id.equals(config.nodeId())) {
            throw new IOException("this folder belongs to node " + id + ", not " + config.nodeId());
        }
    }

    /**
     * This node's TLS material: the operator's, or the cluster's, got the first time by bootstrapping
     * a cluster, by an invite, or from the member an operator's {@code cluster add} runs on; none
     * with --insecure.
     */
    private NodeTls tlsIdentity(NodeConfig.Security security, TlsFiles files, InviteToken invite) throws IOException {
        if (security.insecure()) return null;
        if (security.externalPki()) {
            return NodeTls.loadExternal(security.tlsCert(), security.tlsKey(), security.tlsCa(), this::isRevoked);
        }
        if (!files.exists()) {
            List<String> names = config.certificateNames();
            if (invite != null) {
                ClusterIdentity.enroll(files, config.nodeId(), names, config.join(), invite);
            } else if (waitToBeAdded) {
                ClusterIdentity.awaitAdded(files, config.nodeId(), names, config.host(), config.port());
            } else {
                ClusterIdentity.bootstrap(files, config.nodeId(), names, security.certLifetime());
            }
        }
        try {
            return NodeTls.load(files, this::isRevoked);
        } catch (IOException | RuntimeException e) {
            // the keys exist nowhere else: no copy in the cluster can stand in for them
            throw new IOException("this node's TLS identity in " + files.dir() + " cannot be read (" + e.getMessage()
                    + "): restore those files from a backup, or remove this node's state directory and join again with an invite", e);
        }
    }

    /** An invite is read before anything is created, so a mistyped one changes nothing. */
    private static InviteToken inviteOf(NodeConfig.Security security) throws IOException {
        if (security.inviteToken() == null) return null;
        try {
            return InviteToken.parse(security.inviteToken());
        } catch (InvalidTokenException e) {
            throw new IOException("the invite token is not valid: " + e.getMessage());
        }
    }

    /** Before the index is open (a joining node finding its cluster) nothing is known revoked, as with an empty index. */
    private boolean isRevoked(BigInteger serial) {
        Index current = index;
        return current != null && current.trust().isRevoked(serial.toString(16));
    }

    /** The cluster id this node recorded, if any. */
    private static String clusterIdOf(Path state) throws IOException {
        NodeFile.Identity identity = NodeFile.read(state);
        return identity == null || identity.clusterId().isEmpty() ? null : identity.clusterId();
    }

    private void writeIdentity(Path state, String clusterId) throws IOException {
        NodeFile.write(state, config.nodeId(), clusterId, config.port(), config.adminPort());
    }

    private Map<String, String> voterAddresses() {
        try {
            return raft.voterAddresses();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** Peer addresses of the other members (where chunks can be fetched). */
    private List<String> peerAddresses() {
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
     * Peer addresses of every other member, or empty while one of them has not announced its
     * address yet: a chunk pushed to these is held by every member.
     */
    private Optional<List<String>> everyPeerAddress() {
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

    /**
     * Peers need this node's peer address to fetch chunks from it, and the cluster records the
     * certificate it runs with (for status, and so a removal can revoke it). Announced before the
     * node reports itself started, so no stray op lands later; without quorum it goes on in the background.
     */
    private void announceBeforeStarting() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!announced() && System.nanoTime() < deadline) {
            try {
                if (!config.peerAddress().equals(index.peerAddresses().get(config.nodeId()))) {
                    sync.writer().announce(config.peerAddress()).get(5, TimeUnit.SECONDS);
                }
                if (!certificateRecorded()) sync.writer().trust(ownCertificate()).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("Announcing the admin address failed, retrying: {}", e.toString());
            }
        }
        announceInBackground();
    }

    /** Whether this node leads its Raft group now. */
    private boolean leads() {
        try {
            RaftNode r = raft;
            return r != null && r.status().isLeader();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean announced() {
        return config.peerAddress().equals(index.peerAddresses().get(config.nodeId())) && certificateRecorded();
    }

    private boolean certificateRecorded() {
        return tls == null || index.trust().isIssued(tls.self().serial().toString(16));
    }

    private TrustChange.Admit ownCertificate() {
        var self = tls.self();
        return new TrustChange.Admit(config.nodeId(), self.serial().toString(16), self.notAfter().toEpochMilli(),
                self.role() == Role.LEARNER, "");
    }

    private void announceInBackground() {
        if (announced() || closed.get()) return;
        CompletableFuture<?> step = !config.peerAddress().equals(index.peerAddresses().get(config.nodeId()))
                ? sync.writer().announce(config.peerAddress()) : sync.writer().trust(ownCertificate());
        step.whenComplete((r, e) -> timers.schedule(this::announceInBackground, 1, TimeUnit.SECONDS));
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

    /**
     * Before {@link #start()}: who is told, once, that this node can no longer take part in its
     * cluster until it is restarted (its Raft log cannot be written). The node has stepped aside
     * and reports it (health 503) by then; a process ends so that its supervisor restarts it.
     */
    public Node onFatal(java.util.function.Consumer<String> handler) {
        this.onFatal = handler;
        return this;
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
        if (peers != null) peers.close();
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
        try {
            if (store != null) store.close();
        } catch (StoreException e) {
            LOG.warn("Closing the store failed: {}", e.toString());
        }
        LOG.info("Node {} stopped{}", config.nodeId(), successor.map(s -> "; leadership handed to " + s).orElse(""));
    }
}
