package io.pickbox.node;

import io.pickbox.admin.AdminSettings;
import io.pickbox.admin.FileService;
import io.pickbox.admin.HistoryService;
import io.pickbox.admin.LocalState;
import io.pickbox.admin.TrustActions;
import io.pickbox.index.Entry;
import io.pickbox.index.HistoryStatus;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.Index;
import io.pickbox.index.RestoreReport;
import io.pickbox.index.Result;
import io.pickbox.raft.RaftNode;
import io.pickbox.store.StateRepairs;
import io.pickbox.sync.MassChangeDetector;
import io.pickbox.sync.SyncEngine;
import io.pickbox.transfer.LocalChunks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** The admin layer's interfaces, each answered by the parts of this node that know. */
final class AdminWiring {

    private AdminWiring() {}

    static AdminSettings settings(NodeConfig config, javax.net.ssl.SSLContext tls) {
        return new AdminSettings(config.adminHost(), config.adminPort(), names(config), config.adminToken(),
                config.stateDir().resolve("uploads"), tls);
    }

    /** The names the admin API answers to besides its bind address: the node's own host and what it advertises. */
    static List<String> names(NodeConfig config) {
        List<String> names = new ArrayList<>(config.advertise());
        if (!names.contains(config.host())) names.add(config.host());
        return names;
    }

    /** Invites and revocations through this node's {@link Admission}; none without TLS. */
    static TrustActions trust(Admission admission, Index index) {
        return new TrustActions() {
            @Override
            public String invite(Duration lifetime, boolean learner) throws IOException {
                if (admission == null) throw new IllegalStateException("this cluster runs without TLS (--insecure): nodes join with --join alone");
                return admission.invite(lifetime, learner);
            }

            @Override
            public void certify(String nodeId, String address) throws IOException {
                if (admission != null) admission.admitWaiting(nodeId, address);
            }

            @Override
            public void revoke(String nodeId) throws IOException {
                if (admission != null) admission.revoke(nodeId);
            }

            @Override
            public Map<String, Instant> certificateExpiry() {
                Map<String, Instant> out = new TreeMap<>();
                index.trust().latestCertificates().forEach((id, c) -> out.put(id, Instant.ofEpochMilli(c.notAfterMillis())));
                return out;
            }
        };
    }

    /** {@code state}: the node's state directory, whose files repaired at start-up are reported with the problems. */
    static LocalState localState(Index index, SyncEngine sync, Path state, MassChangeDetector massChanges) {
        return new LocalState() {
            @Override
            public List<?> massChanges() {
                return massChanges.recent().stream().map(MassChangeDetector.MassChange::describe).toList();
            }

            @Override
            public int files() {
                return index.size();
            }

            @Override
            public long fileBytes() {
                return index.fileBytes();
            }

            @Override
            public long appliedOps() {
                return index.appliedOps();
            }

            @Override
            public int conflicts() {
                return index.conflictCount();
            }

            @Override
            public Map<String, String> peerAddresses() {
                return index.peerAddresses();
            }

            @Override
            public int pending() {
                return sync.pendingCount();
            }

            @Override
            public long filesRead() {
                return sync.filesRead();
            }

            @Override
            public long echoesIgnored() {
                return sync.echoesIgnored();
            }

            @Override
            public List<?> transfers() {
                return sync.transfers();
            }

            @Override
            public SyncEngine.ScanCost lastVerifyScan() {
                return sync.lastFullScan();
            }

            @Override
            public Object catchUp() {
                return sync.catchUp();
            }

            @Override
            public Map<String, ?> blocked() {
                return sync.blocked();
            }

            @Override
            public Map<String, String> problems() {
                Map<String, String> repaired = StateRepairs.under(state);
                if (repaired.isEmpty()) return sync.problems();
                Map<String, String> all = new java.util.LinkedHashMap<>();
                repaired.forEach((file, what) -> all.put("state: " + file, what));
                all.putAll(sync.problems());
                return all;
            }

            @Override
            public SyncEngine.Stalls stalls() {
                return sync.stalls();
            }

            @Override
            public Map<String, String> notReplicated() {
                return sync.namesNotReplicated();
            }
        };
    }

    static FileService files(Index index, SyncEngine sync, LocalChunks chunks) {
        return new FileService() {
            @Override
            public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit) {
                return index.page(prefix, after, limit);
            }

            @Override
            public List<Map.Entry<String, Entry>> children(String dir, String after, int limit) {
                return index.children(dir, after, limit);
            }

            @Override
            public List<Map.Entry<String, Entry>> conflicts(String prefix, String after, int limit) {
                return index.page(prefix, after, limit, e -> e.conflictOf() != null);
            }

            @Override
            public Entry get(String path) {
                return index.get(path);
            }

            @Override
            public String missingChunk(String path, Entry committed) {
                return chunks.firstMissing(path, committed.size(), committed.chunks());
            }

            @Override
            public InputStream content(String path, Entry committed) {
                return chunks.openFile(path, committed.chunks());
            }

            @Override
            public CompletableFuture<Result> put(String path, Path file) throws IOException {
                return sync.writer().putFile(path, file);
            }

            @Override
            public CompletableFuture<Result> delete(String path) throws IOException {
                return sync.writer().delete(path);
            }
        };
    }

    /** The history as the index holds it; restores and settings through this node's {@link io.pickbox.sync.HistoryActions}. */
    static HistoryService history(Index index, SyncEngine sync) {
        return new HistoryService() {
            @Override
            public List<HistoryVersion> versions(String path, int limit) {
                return index.history(path, limit);
            }

            @Override
            public List<HistoryVersion> trash(String prefix, String after, int limit) {
                return index.trash(prefix, after, limit);
            }

            @Override
            public HistoryStatus status() {
                return index.historyStatus();
            }

            @Override
            public CompletableFuture<RestoreReport> restoreVersion(String path, long version, String to) {
                return sync.history().restoreVersion(path, version, to);
            }

            @Override
            public CompletableFuture<RestoreReport> restoreTree(String path, long atMillis) {
                return sync.history().restoreTree(path, atMillis);
            }

            @Override
            public CompletableFuture<HistoryStatus> configure(int days, long maxBytes) {
                return sync.history().configure(days, maxBytes).thenCompose(r -> r.status() == Result.Status.REJECTED
                        ? CompletableFuture.failedFuture(new IllegalArgumentException(r.detail()))
                        : CompletableFuture.completedFuture(index.historyStatus()));
            }

            @Override
            public CompletableFuture<HistoryStatus> purge(long beforeMillis) {
                return sync.history().purge(beforeMillis);
            }
        };
    }
}
