package io.pickbox.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.index.IndexListener;
import io.pickbox.index.Entry;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.raft.RaftStatus;
import io.pickbox.sync.MassChangeDetector;
import io.pickbox.sync.SyncEngine;
import io.pickbox.sync.Proposer;
import io.pickbox.sync.SyncMetrics;
import io.pickbox.sync.SyncMetrics.Backlog;
import io.pickbox.watch.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one node, in one registry (scraped at {@code /metrics}). Created by the node before
 * Raft starts, so every applied op is counted; hot paths only bump counters.
 */
public final class NodeMetrics implements IndexListener, SyncMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> opCounters = new ConcurrentHashMap<>();
    private final Timer commitLatency;
    private final Timer chunkCommitLatency;
    private final Counter proposalsFailed;
    private final Counter bytesReplicated;
    private final Counter chunkBytesCommitted;
    private final Counter dedupedBytes;
    private final Counter copiedLocallyBytes;
    private final Counter fetchedAtCommitBytes;
    private final Counter pushedBytes;
    private final Counter conflictsCreated;
    private final Counter rescans;
    private final Counter watcherRescans;
    private volatile LocalState local;
    private volatile ClusterView cluster;
    private volatile LongSupplier stagedBytes;
    private volatile Backlog backlog;
    private volatile MassChangeDetector massChanges;
    private volatile java.util.function.Supplier<io.pickbox.index.HistoryStatus> history;

    public NodeMetrics() {
        commitLatency = Timer.builder("pickbox_commit_latency")
                .description("Time from proposing an op on this node to its commit and apply (the reply)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        chunkCommitLatency = Timer.builder("pickbox_chunk_commit_latency")
                .description("Time from proposing a chunk of a large file to its commit")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        proposalsFailed = counter("pickbox_proposals_failed", null, "Proposals that failed (retried later)");
        bytesReplicated = counter("pickbox_replicated", "bytes",
                "File bytes committed to the index (new versions and conflict copies)");
        chunkBytesCommitted = counter("pickbox_chunk_committed", "bytes", "Bytes of chunks carried through the Raft log");
        dedupedBytes = counter("pickbox_chunk_deduplicated", "bytes",
                "Chunk bytes not sent because the cluster already held them");
        pushedBytes = counter("pickbox_chunk_pushed", "bytes",
                "Chunk bytes this node pushed straight to every peer instead of through the Raft log");
        copiedLocallyBytes = counter("pickbox_chunk_copied_locally", "bytes",
                "Bytes of received large files copied from files already in this node's folder instead of fetched");
        fetchedAtCommitBytes = counter("pickbox_chunk_fetched", "bytes",
                "Bytes of received large files fetched from peers when their commit came (not pushed before it)");
        conflictsCreated = counter("pickbox_conflict_copies", null, "Conflict copies committed");
        rescans = counter("pickbox_rescans", null,
                "Subtree rescans requested (watcher overflow, moved-in directory, ignore rules)");
        watcherRescans = counter("pickbox_watcher_overflows", null,
                "Times the watcher lost events (queue overflow, failed watch, directory moved in) and asked for a rescan");
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Gauges read from the node's live state (at scrape time only). A meter holds what it reads
     * weakly, so it reads through this object, which the node keeps.
     */
    public void bind(LocalState local, ClusterView cluster, LongSupplier stagedBytes) {
        this.local = local;
        this.cluster = cluster;
        this.stagedBytes = stagedBytes;
        gauge("pickbox_files", "Committed entries", m -> m.local.files());
        gauge("pickbox_bytes", "Committed file bytes", m -> m.local.fileBytes());
        gauge("pickbox_applied_ops", "Ops applied by this process", m -> m.local.appliedOps());
        gauge("pickbox_pending_local_changes", "Paths waiting to be compared or with a change in flight",
                m -> m.local.pending());
        gauge("pickbox_blocked_paths", "Paths whose change apply refused", m -> m.local.blocked().size());
        gauge("pickbox_conflicts", "Conflict copies in the index", m -> m.local.conflicts());
        gauge("pickbox_verify_scan_cpu_seconds", "CPU time of the last full comparison of folder and index", m -> m.scan(SyncEngine.ScanCost::cpuSeconds));
        gauge("pickbox_verify_scan_seconds", "Duration of the last full comparison of folder and index", m -> m.scan(SyncEngine.ScanCost::seconds));
        gauge("pickbox_verify_scan_paths", "Paths walked by the last full comparison of folder and index", m -> m.scan(SyncEngine.ScanCost::paths));
        gauge("pickbox_verify_scan_out_of_step", "Paths the last full comparison found out of step", m -> m.scan(SyncEngine.ScanCost::outOfStep));
        FunctionCounter.builder("pickbox_files_read", this, m -> m.local.filesRead())
                .description("Files read and hashed to compare or propose them").register(registry);
        FunctionCounter.builder("pickbox_echoes_ignored", this, m -> m.local.echoesIgnored())
                .description("The watcher's reports of this node's own renames and deletions, known as such and not compared again")
                .register(registry);
        FunctionCounter.builder("pickbox_chunk_staged", this, m -> m.stagedBytes.getAsLong()).baseUnit("bytes")
                .description("Bytes of received large files written while their chunks were pushed, before the commit").register(registry);
        gauge("pickbox_raft_commit_index", null, m -> m.raft(RaftStatus::commitIndex));
        gauge("pickbox_raft_applied_index", null, m -> m.raft(RaftStatus::appliedIndex));
        gauge("pickbox_apply_lag", "Committed log entries not yet applied on this node", m -> m.raft(RaftStatus::applyLag));
        gauge("pickbox_raft_term", null, m -> m.raft(RaftStatus::term));
        gauge("pickbox_is_leader", null, m -> m.raft(r -> r.isLeader() ? 1 : 0));
    }

    /**
     * Mass changes: a counter of the bursts flagged, by the node that made them, and a gauge of the
     * most files one node deleted or rewrote within the window up to now.
     */
    public void bind(MassChangeDetector massChanges) {
        this.massChanges = massChanges;
        gauge("pickbox_mass_change_window_files",
                "The most files one node deleted or rewrote within the mass-change window up to now (flagged past --mass-change-files)",
                m -> m.massChanges.filesInWindow());
        massChanges.onFlag((logIndex, change) -> Counter.builder("pickbox_mass_changes")
                .description("Mass changes flagged: more than --mass-change-files files deleted or rewritten by one node within --mass-change-window")
                .tag("node", change.node()).register(registry).increment());
    }

    /** Gauges of the version history as committed (the same on every node). */
    public void bindHistory(java.util.function.Supplier<io.pickbox.index.HistoryStatus> status) {
        this.history = status;
        Gauge.builder("pickbox_history_bytes", this, m -> m.history.get().bytes()).baseUnit("bytes")
                .description("Bytes of the chunks only kept versions reference, each counted once").register(registry);
        Gauge.builder("pickbox_history_max_bytes", this, m -> m.history.get().maxBytes()).baseUnit("bytes")
                .description("The cap on the history's bytes, as it applies now").register(registry);
        gauge("pickbox_history_versions", "Versions kept in the history", m -> m.history.get().versions());
        gauge("pickbox_history_restorable_since_seconds", "The earliest time a restore may ask for (Unix seconds)",
                m -> m.history.get().restorableSince() / 1000.0);
    }

    private double scan(ToDoubleFunction<SyncEngine.ScanCost> read) {
        SyncEngine.ScanCost last = local.lastVerifyScan();
        return last == null ? Double.NaN : read.applyAsDouble(last);
    }

    /** A counter in this registry; {@code baseUnit} and {@code description} may be null (none). */
    private Counter counter(String name, String baseUnit, String description) {
        return Counter.builder(name).baseUnit(baseUnit).description(description).register(registry);
    }

    /** A gauge read through this object at scrape time; {@code description} may be null (none). */
    private void gauge(String name, String description, ToDoubleFunction<NodeMetrics> read) {
        Gauge.builder(name, this, read).description(description).register(registry);
    }

    private double raft(ToDoubleFunction<RaftStatus> what) {
        try {
            return what.applyAsDouble(cluster.status());
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Times every proposal from submit to its reply (committed and applied by the leader). */
    public Proposer timed(Proposer proposer) {
        return (op, data) -> {
            long t0 = System.nanoTime();
            Timer timer = op instanceof Op.Chunk ? chunkCommitLatency : commitLatency;
            return proposer.submit(op, data).whenComplete((r, e) -> {
                if (e != null) proposalsFailed.increment();
                else timer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            });
        };
    }

    /** Counts the watcher's rescan requests, then passes everything on. */
    public ChangeListener watching(ChangeListener target) {
        return new ChangeListener() {
            @Override
            public void changed(String relPath, boolean writerDone) {
                target.changed(relPath, writerDone);
            }

            @Override
            public void moved(String fromRelPath, String toRelPath) {
                target.moved(fromRelPath, toRelPath);
            }

            @Override
            public void rescan(String relDir) {
                watcherRescans.increment();
                target.rescan(relDir);
            }
        };
    }

    // ---------------------------------------------------------------- IndexListener (apply thread: cheap)

    @Override
    public void changed(String path, Entry before, Entry after) {}

    @Override
    public void applied(long logIndex, Op op, Result result) {
        String type = opType(op);
        String status = result.status().name().toLowerCase(Locale.ROOT);
        opCounters.computeIfAbsent(type + '|' + status, k -> Counter.builder("pickbox_ops_committed")
                .description("Committed ops applied on this node, by type and result")
                .tag("type", type).tag("result", status).register(registry)).increment();
        countFileBytes(op, result);
        if (result.status() == Result.Status.CONFLICT) {
            conflictsCreated.increment();
            LOG.info("Conflict: {} (from {}) was committed as {} at log index {}", op.describe(),
                    originNode(op), result.path(), logIndex);
        }
    }

    /** Chunks count as they commit; a file's bytes count when its put changed the index. */
    private void countFileBytes(Op op, Result result) {
        op.accept(new Op.Cases<Void>() {
            @Override
            public Void chunk(Op.Chunk c) {
                chunkBytesCommitted.increment(c.length());
                return null;
            }

            @Override
            public Void put(Op.Put p) {
                if (result.changedIndex()) bytesReplicated.increment(p.size());
                return null;
            }

            @Override
            public Void mkdir(Op.Mkdir m) {
                return null;
            }

            @Override
            public Void delete(Op.Delete d) {
                return null;
            }

            @Override
            public Void rename(Op.Rename r) {
                return null;
            }

            @Override
            public Void meta(Op.Meta m) {
                return null;
            }

            @Override
            public Void hello(Op.Hello h) {
                return null;
            }

            @Override
            public Void trust(Op.Trust t) {
                return null;
            }

            @Override
            public Void restore(Op.Restore r) {
                return null;
            }

            @Override
            public Void history(Op.History h) {
                return null;
            }
        });
    }

    static String originNode(Op op) {
        return op.origin().isNone() ? null : op.origin().node();
    }

    static String opType(Op op) {
        return op.type().name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- SyncMetrics

    @Override
    public void dedupedBytes(long bytes) {
        dedupedBytes.increment(bytes);
    }

    @Override
    public void pushedBytes(long bytes) {
        pushedBytes.increment(bytes);
    }

    @Override
    public void copiedLocally(long bytes) {
        copiedLocallyBytes.increment(bytes);
    }

    @Override
    public void fetchedAtCommit(long bytes) {
        fetchedAtCommitBytes.increment(bytes);
    }

    @Override
    public void rescan() {
        rescans.increment();
    }

    @Override
    public void backlog(Backlog backlog) {
        this.backlog = backlog;
        gauge("pickbox_proposals_in_flight", "Proposals and chunk pushes this node sent and that are not answered yet",
                m -> m.backlog.inFlight());
        Gauge.builder("pickbox_proposals_in_flight_bytes", this, m -> m.backlog.bytesInFlight()).baseUnit("bytes")
                .description("File bytes of the proposals and chunk pushes in flight").register(registry);
        gauge("pickbox_paths_waiting", "Dirty paths waiting for their comparison (and proposal) to start",
                m -> m.backlog.pathsWaiting());
        gauge("pickbox_paths_waiting_for_space", "Committed files not written into the folder because its disk lacks the space",
                m -> m.backlog.stalls().pathsWaitingForSpace());
        Gauge.builder("pickbox_waiting_for_space_bytes", this, m -> m.backlog.stalls().bytesWaitingForSpace()).baseUnit("bytes")
                .description("Bytes of the committed files waiting for disk space in the folder").register(registry);
        gauge("pickbox_paths_permission_denied", "Committed changes not written into the folder because it refuses the write",
                m -> m.backlog.stalls().pathsPermissionDenied());
    }
}
