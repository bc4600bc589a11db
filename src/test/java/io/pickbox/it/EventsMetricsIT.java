package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.pickbox.it.AdminHttp.get;
import static io.pickbox.it.AdminHttp.metric;
import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The event stream (live, resumable) and the Prometheus counters moving when things happen. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsMetricsIT {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    TestCluster cluster;
    TestNode n1;
    TestNode n2;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.inJvm(base, 2);
        n1 = cluster.node(0);
        n2 = cluster.node(1);
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
    }

    /** An open SSE connection whose events are parsed into a queue. */
    static final class Stream implements AutoCloseable {
        record Event(String id, String name, JsonNode data) {}

        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final int status;
        final String contentType;
        private final InputStream body;

        Stream(String address, String query, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address + "/v1/events" + query));
            for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
            HttpResponse<InputStream> r = AdminHttp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            contentType = r.headers().firstValue("Content-Type").orElse("");
            body = r.body();
            Thread t = new Thread(this::read, "sse-reader");
            t.setDaemon(true);
            t.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                String name = "message";
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) events.add(new Event(id, name, AdminHttp.JSON.readTree(data.toString())));
                        id = null;
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        }

        /** The next "op" event about {@code path}, skipping others. */
        Event awaitPath(String path) throws InterruptedException {
            long deadline = System.nanoTime() + T.toNanos();
            while (System.nanoTime() < deadline) {
                Event e = events.poll(200, TimeUnit.MILLISECONDS);
                if (e != null && "op".equals(e.name()) && path.equals(e.data().path("path").asText())) return e;
            }
            throw new AssertionError("no event for " + path);
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }

    @Test
    void eventStreamIsLiveAndResumable() throws Exception {
        long firstId;
        try (Stream live = new Stream(n2.adminAddress(), "")) {
            assertThat(live.status).isEqualTo(200);
            assertThat(live.contentType).startsWith("text/event-stream");
            TestCluster.write(n1.file("events/one.txt"), "one");
            Stream.Event e = live.awaitPath("events/one.txt");
            assertThat(e.data().path("op").asText()).isEqualTo("put");
            assertThat(e.data().path("result").asText()).isEqualTo("applied");
            assertThat(e.data().path("origin").asText()).isEqualTo("node1");
            firstId = Long.parseLong(e.id());
            assertThat(e.data().path("id").asLong()).isEqualTo(firstId);
            assertThat(e.data().path("index").asLong()).isEqualTo(firstId / 1024);
        }
        // Resume with ?since=: the event is replayed from the ring.
        try (Stream again = new Stream(n2.adminAddress(), "?since=" + (firstId - 1))) {
            Stream.Event e = again.awaitPath("events/one.txt");
            assertThat(Long.parseLong(e.id())).isEqualTo(firstId);
        }
        // Resume with Last-Event-ID (what EventSource sends on reconnect): only later events come.
        TestCluster.write(n1.file("events/two.txt"), "two");
        awaitContent(cluster.nodes(), "events/two.txt", "two", T);
        try (Stream resumed = new Stream(n2.adminAddress(), "", "Last-Event-ID", String.valueOf(firstId))) {
            Stream.Event e = resumed.awaitPath("events/two.txt");
            assertThat(Long.parseLong(e.id())).isGreaterThan(firstId);
            List<Stream.Event> seen = new ArrayList<>();
            resumed.events.drainTo(seen);
            for (Stream.Event s : seen) assertThat(Long.parseLong(s.id())).isGreaterThan(firstId);
        }
        assertThat(get(n2.adminAddress(), "/v1/events?since=abc").statusCode()).isEqualTo(400);
        assertThat(get(n2.adminAddress(), "/v1/events?since=-4").statusCode()).isEqualTo(400);
    }

    private String scrape(TestNode n) throws Exception {
        HttpResponse<String> r = get(n.adminAddress(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void countersMoveWhenThingsHappen() throws Exception {
        cluster.awaitConverged(T);
        String b1 = scrape(n1);
        String b2 = scrape(n2);
        for (String name : List.of("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads",
                "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "pickbox_apply_lag",
                "pickbox_pending_local_changes", "pickbox_conflicts", "pickbox_commit_latency_seconds_bucket",
                "pickbox_chunk_deduplicated_bytes_total", "pickbox_chunk_pushed_bytes_total", "pickbox_chunk_staged_bytes_total",
                "pickbox_rescans_total", "pickbox_watcher_overflows_total", "pickbox_files_read_total",
                "pickbox_echoes_ignored_total")) {
            assertThat(metric(b1, name, "")).as(name).isNotNaN();
        }

        // A small file: one PUT committed everywhere, bytes replicated, commit latency on the proposer.
        TestCluster.write(n1.file("m/small.txt"), "twelve bytes");
        awaitContent(cluster.nodes(), "m/small.txt", "twelve bytes", T);
        await().atMost(T).untilAsserted(() -> {
            String a1 = scrape(n1);
            String a2 = scrape(n2);
            assertThat(metric(a1, "pickbox_ops_committed_total", "type=\"put\""))
                    .isGreaterThan(zeroIfNaN(metric(b1, "pickbox_ops_committed_total", "type=\"put\"")));
            assertThat(metric(a2, "pickbox_ops_committed_total", "type=\"put\""))
                    .isGreaterThan(zeroIfNaN(metric(b2, "pickbox_ops_committed_total", "type=\"put\"")));
            assertThat(metric(a2, "pickbox_replicated_bytes_total", "")).isGreaterThanOrEqualTo(metric(b2, "pickbox_replicated_bytes_total", "") + 12);
            assertThat(metric(a1, "pickbox_commit_latency_seconds_count", "")).isGreaterThan(metric(b1, "pickbox_commit_latency_seconds_count", ""));
            assertThat(metric(a1, "pickbox_files", "")).isGreaterThan(metric(b1, "pickbox_files", ""));
            assertThat(metric(a1, "pickbox_files_read_total", "")).as("the writer read the new file")
                    .isGreaterThan(metric(b1, "pickbox_files_read_total", ""));
        });

        // A large file, its chunks pushed to the peers (chunks through the Raft log, and their commit
        // latency, are counted in CrashRecoveryIT, with a peer down); then a copy of it: the copy's
        // chunks are already in the cluster.
        String c1 = scrape(n1);
        byte[] big = randomBytes(3 * 1024 * 1024 + 17, 42);
        ItSupport.write(n1.file("m/big.bin"), big);
        awaitContent(cluster.nodes(), "m/big.bin", big, T);
        await().atMost(T).untilAsserted(() -> assertThat(metric(scrape(n1), "pickbox_chunk_pushed_bytes_total", ""))
                .isGreaterThanOrEqualTo(metric(c1, "pickbox_chunk_pushed_bytes_total", "") + 3 * 1024 * 1024));
        // The receivers wrote the file while its chunks arrived; none of it was assembled after the commit.
        assertThat(metric(scrape(n2), "pickbox_chunk_staged_bytes_total", ""))
                .isEqualTo(metric(b2, "pickbox_chunk_staged_bytes_total", "") + big.length);
        ItSupport.write(n1.file("m/big-copy.bin"), big);
        awaitContent(cluster.nodes(), "m/big-copy.bin", big, T);
        await().atMost(T).untilAsserted(() -> assertThat(metric(scrape(n1), "pickbox_chunk_deduplicated_bytes_total", ""))
                .isGreaterThanOrEqualTo(metric(c1, "pickbox_chunk_deduplicated_bytes_total", "") + 3 * 1024 * 1024));

        // A rename elsewhere: n2 moves its copy, and its watcher's report of that move is known as its own.
        String r2 = scrape(n2);
        Files.move(n1.file("m/small.txt"), n1.file("m/small-renamed.txt"));
        awaitContent(cluster.nodes(), "m/small-renamed.txt", "twelve bytes", T);
        await().atMost(T).untilAsserted(() -> assertThat(metric(scrape(n2), "pickbox_echoes_ignored_total", ""))
                .isGreaterThan(metric(r2, "pickbox_echoes_ignored_total", "")));

        // A directory moved in from outside: the watcher cannot know its content and asks for a rescan.
        String d1 = scrape(n1);
        Path outside = base.resolve("outside-dir");
        TestCluster.write(outside.resolve("inner/f.txt"), "moved in");
        Files.move(outside, n1.file("moved-in"));
        awaitContent(cluster.nodes(), "moved-in/inner/f.txt", "moved in", T);
        await().atMost(T).untilAsserted(() -> {
            String a = scrape(n1);
            assertThat(metric(a, "pickbox_watcher_overflows_total", "")).isGreaterThan(metric(d1, "pickbox_watcher_overflows_total", ""));
            assertThat(metric(a, "pickbox_rescans_total", "")).isGreaterThan(metric(d1, "pickbox_rescans_total", ""));
        });

        // A conflict: the same path changed on both nodes from the same base.
        String e1 = scrape(n1);
        TestCluster.write(n1.file("m/race.txt"), "base");
        awaitContent(cluster.nodes(), "m/race.txt", "base", T);
        cluster.awaitConverged(T);
        // A PUT proposed with a stale base (as a node that had not seen the last edit would) loses.
        long stale = AdminHttp.json(get(n1.adminAddress(), "/v1/files/m/race.txt")).path("version").asLong();
        TestCluster.write(n1.file("m/race.txt"), "newer edit");
        awaitContent(cluster.nodes(), "m/race.txt", "newer edit", T);
        byte[] bytes = "stale edit".getBytes(StandardCharsets.UTF_8);
        String sha = io.pickbox.folder.Hashing.sha256Hex(bytes);
        // Proposed as n2 (a member speaks only for itself), with n2's next sequence number.
        var origin = new io.pickbox.index.Op.Origin(n2.id(), n2.node().index().lastSeq(n2.id()) + 1);
        var op = new io.pickbox.index.Op.Put(origin, "m/race.txt", bytes.length, sha,
                List.of(sha), 0644, System.currentTimeMillis(), stale, true);
        var result = n2.node().raft().submit(op, java.nio.ByteBuffer.wrap(bytes)).get(30, TimeUnit.SECONDS);
        assertThat(result.status()).isEqualTo(io.pickbox.index.Result.Status.CONFLICT);
        await().atMost(T).untilAsserted(() -> {
            String a = scrape(n1);
            assertThat(metric(a, "pickbox_conflict_copies_total", "")).isGreaterThan(metric(e1, "pickbox_conflict_copies_total", ""));
            assertThat(metric(a, "pickbox_conflicts", "")).isGreaterThan(metric(e1, "pickbox_conflicts", ""));
            assertThat(metric(a, "pickbox_ops_committed_total", "result=\"conflict\"")).isPositive();
            JsonNode conflicts = AdminHttp.json(get(n1.adminAddress(), "/v1/conflicts"));
            assertThat(conflicts.findValuesAsText("conflictOf")).contains("m/race.txt");
            assertThat(conflicts.findValuesAsText("origin")).contains(n2.id());
        });
        cluster.awaitConverged(T);
    }

    private static double zeroIfNaN(double d) {
        return Double.isNaN(d) ? 0 : d;
    }
}
