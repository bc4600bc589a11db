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
import io.pickbox.sync.Proposer;
import io.pickbox.sync.SyncMetrics;
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
    private final Counter pushedBytes;
    private final Counter conflictsCreated;
    private final Counter rescans;
    private final Counter watcherRescans;
    private volatile LocalState local;
    private volatile ClusterView cluster;
    private volatile LongSupplier stagedBytes;

    public NodeMetrics() {
        commitLatency = Timer.builder("pickbox_commit_latency")
                .description("Time from proposing an op on this node to its commit and apply (the reply)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        chunkCommitLatency = Timer.builder("pickbox_chunk_commit_latency")
                .description("Time from proposing a chunk of a large file to its commit")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        proposalsFailed = Counter.builder("pickbox_proposals_failed").description("Proposals that failed (retried later)").register(registry);
        bytesReplicated = Counter.builder("pickbox_replicated").baseUnit("bytes")
                .description("File bytes committed to the index (new versions and conflict copies)").register(registry);
        chunkBytesCommitted = Counter.builder("pickbox_chunk_committed").baseUnit("bytes")
                .description("Bytes of chunks carried through the Raft log").register(registry);
        dedupedBytes = Counter.builder("pickbox_chunk_deduplicated").baseUnit("bytes")
                .description("Chunk bytes not sent because the cluster already held them").register(registry);
        pushedBytes = Counter.builder("pickbox_chunk_pushed").baseUnit("bytes")
                .description("Chunk bytes this node pushed straight to every peer instead of through the Raft log").register(registry);
        conflictsCreated = Counter.builder("pickbox_conflict_copies").description("Conflict copies committed").register(registry);
        rescans = Counter.builder("pickbox_rescans").description("Subtree rescans requested (watcher overflow, moved-in directory, ignore rules)").register(registry);
        watcherRescans = Counter.builder("pickbox_watcher_overflows")
                .description("Times the watcher lost events (queue overflow, failed watch, directory moved in) and asked for a rescan")
                .register(registry);
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
        Gauge.builder("pickbox_files", this, m -> m.local.files()).description("Committed entries").register(registry);
        Gauge.builder("pickbox_bytes", this, m -> m.local.fileBytes()).description("Committed file bytes").register(registry);
        Gauge.builder("pickbox_applied_ops", this, m -> m.local.appliedOps()).description("Ops applied by this process").register(registry);
        Gauge.builder("pickbox_pending_local_changes", this, m -> m.local.pending())
                .description("Paths waiting to be compared or with a change in flight").register(registry);
        Gauge.builder("pickbox_blocked_paths", this, m -> m.local.blocked().size())
                .description("Paths whose change apply refused").register(registry);
        Gauge.builder("pickbox_conflicts", this, m -> m.local.conflicts()).description("Conflict copies in the index").register(registry);
        FunctionCounter.builder("pickbox_chunk_staged", this, m -> m.stagedBytes.getAsLong()).baseUnit("bytes")
                .description("Bytes of received large files written while their chunks were pushed, before the commit").register(registry);
        Gauge.builder("pickbox_raft_commit_index", this, m -> m.raft(RaftStatus::commitIndex)).register(registry);
        Gauge.builder("pickbox_raft_applied_index", this, m -> m.raft(RaftStatus::appliedIndex)).register(registry);
        Gauge.builder("pickbox_apply_lag", this, m -> m.raft(RaftStatus::applyLag))
                .description("Committed log entries not yet applied on this node").register(registry);
        Gauge.builder("pickbox_raft_term", this, m -> m.raft(RaftStatus::term)).register(registry);
        Gauge.builder("pickbox_is_leader", this, m -> m.raft(r -> r.isLeader() ? 1 : 0)).register(registry);
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
    public void rescan() {
        rescans.increment();
    }
}
