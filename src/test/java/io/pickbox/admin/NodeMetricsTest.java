package io.pickbox.admin;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class NodeMetricsTest {

    private static double value(NodeMetrics m, String line) {
        for (String l : m.registry().scrape().split("\n")) {
            if (l.startsWith(line + " ")) return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
        }
        return Double.NaN;
    }

    @Test
    void everyCounterMovesWhenItsThingHappens() throws Exception {
        NodeMetrics m = new NodeMetrics();
        Op.Put put = new Op.Put(new Op.Origin("n1", 1), "a.txt", 100, "a".repeat(64), List.of("a".repeat(64)), 0644, 1, 0, true);
        m.applied(5, put, Result.applied("a.txt", 1));
        m.applied(6, put, new Result(Result.Status.CONFLICT, "a.conflict-n1-6.txt", 2, "x"));
        m.applied(7, new Op.Chunk("b".repeat(64), 4096), new Result(Result.Status.NOOP, null, 0, null));
        m.dedupedBytes(1 << 20);
        m.pushedBytes(3 << 20);
        m.rescan();
        m.watching(new io.pickbox.watch.ChangeListener() {
            public void changed(String relPath, boolean writerDone) {}
            public void moved(String from, String to) {}
            public void rescan(String relDir) {}
        }).rescan("");
        m.timed((op, data) -> CompletableFuture.completedFuture(Result.applied("a.txt", 1))).submit(put, ByteBuffer.allocate(1)).get();
        m.timed((op, data) -> CompletableFuture.<Result>failedFuture(new RuntimeException("x"))).submit(put, null)
                .exceptionally(e -> null).get();

        assertThat(value(m, "pickbox_ops_committed_total{result=\"applied\",type=\"put\"}")).isEqualTo(1);
        assertThat(value(m, "pickbox_ops_committed_total{result=\"conflict\",type=\"put\"}")).isEqualTo(1);
        assertThat(value(m, "pickbox_ops_committed_total{result=\"noop\",type=\"chunk\"}")).isEqualTo(1);
        assertThat(value(m, "pickbox_replicated_bytes_total")).isEqualTo(200);
        assertThat(value(m, "pickbox_chunk_committed_bytes_total")).isEqualTo(4096);
        assertThat(value(m, "pickbox_chunk_deduplicated_bytes_total")).isEqualTo(1 << 20);
        assertThat(value(m, "pickbox_chunk_pushed_bytes_total")).isEqualTo(3 << 20);
        assertThat(value(m, "pickbox_conflict_copies_total")).isEqualTo(1);
        assertThat(value(m, "pickbox_rescans_total")).isEqualTo(1);
        assertThat(value(m, "pickbox_watcher_overflows_total")).isEqualTo(1);
        assertThat(value(m, "pickbox_commit_latency_seconds_count")).isEqualTo(1);
        assertThat(value(m, "pickbox_proposals_failed_total")).isEqualTo(1);
        assertThat(m.registry().scrape()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "system_cpu_count", "process_files_open_files");
    }

    @Test
    void massChangesAreCountedByNodeAndTheWindowIsAGauge() {
        NodeMetrics m = new NodeMetrics();
        long now = System.currentTimeMillis();
        var detector = new io.pickbox.sync.MassChangeDetector(
                new io.pickbox.sync.MassChangeDetector.Settings(3, java.time.Duration.ofSeconds(60)), () -> now, () -> now);
        m.bind(detector);
        var before = new io.pickbox.index.Entry(io.pickbox.index.Entry.Kind.FILE, 1, 1, "a".repeat(64), List.of("a".repeat(64)),
                0644, 1, "n1", null);
        for (int i = 0; i < 4; i++) {
            detector.changed("docs/f" + i, before, null);
            detector.applied(10 + i, new Op.Delete(new Op.Origin("n1", 1 + i), "docs/f" + i, 1, 1), Result.applied("docs/f" + i, 0));
        }
        assertThat(value(m, "pickbox_mass_changes_total{node=\"n1\"}")).isEqualTo(1);
        assertThat(value(m, "pickbox_mass_change_window_files")).isEqualTo(4);
    }

    @Test
    void theHistoryGaugesReadTheCommittedHistory() {
        NodeMetrics m = new NodeMetrics();
        m.bindHistory(() -> new io.pickbox.index.HistoryStatus(30, 0, 1L << 30, 12_345, 7, 1_800_000_000_000L, 1_800_000_100_000L));
        assertThat(value(m, "pickbox_history_bytes")).isEqualTo(12_345);
        assertThat(value(m, "pickbox_history_versions")).isEqualTo(7);
        assertThat(value(m, "pickbox_history_max_bytes")).isEqualTo(1L << 30);
        assertThat(value(m, "pickbox_history_restorable_since_seconds")).isEqualTo(1_800_000_000.0);
    }
}
