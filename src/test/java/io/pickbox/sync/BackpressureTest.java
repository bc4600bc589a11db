package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A folder changing faster than the cluster commits: the proposals in flight stay within the
 * window, the paths after them wait as paths (their files read when their turn comes), and every
 * file is proposed in the end.
 */
class BackpressureTest {

    private static final int MAX_IN_FLIGHT = 8;
    private static final int DIRS = 20;
    private static final int FILES_PER_DIR = 50;

    @TempDir
    Path root;
    @TempDir
    Path state;

    private record Sent(Op op, CompletableFuture<Result> reply) {}

    private EngineFixture fx;
    private Index index;
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicInteger mostUnanswered = new AtomicInteger();
    private final List<Op> proposed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private LocalTable table;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        Proposer cluster = (op, data) -> {
            mostUnanswered.accumulateAndGet(unanswered.incrementAndGet(), Math::max);
            proposed.add(op);
            CompletableFuture<Result> reply = new CompletableFuture<>();
            sent.add(new Sent(op, reply));
            return reply;
        };
        fx = new EngineFixture(root, state, f -> cluster, new ProposalWindow(MAX_IN_FLIGHT, 1 << 20), SyncEngine.MAX_TRACKED).listening();
        index = fx.index;
        table = fx.table;
        sync = fx.sync;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static byte[] content(String path, String version) {
        return (path + " " + version + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void proposalsInFlightStayWithinTheWindowAndEveryFileIsProposedOnce() throws Exception {
        for (int d = 0; d < DIRS; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIR; f++) Files.write(dir.resolve("f" + f), content("d" + d + "/f" + f, "one"));
        }
        int files = DIRS * FILES_PER_DIR;
        SyncMetrics.Backlog[] backlog = new SyncMetrics.Backlog[1];
        sync.setMetrics(new SyncMetrics() {
            @Override
            public void backlog(Backlog b) {
                backlog[0] = b;
            }
        });
        sync.start();

        // The cluster answers nothing: the window fills, and everything else waits as dirty paths.
        await().atMost(Duration.ofSeconds(20)).until(() -> backlog[0].inFlight() == MAX_IN_FLIGHT
                && backlog[0].pathsWaiting() > files / 2);
        Thread.sleep(300);
        assertThat(proposed).hasSize(MAX_IN_FLIGHT);

        // A file not proposed yet changes while it waits: it is read when its turn comes, so its one
        // proposal carries the new content.
        String later = "d" + (DIRS - 1) + "/f" + (FILES_PER_DIR - 1);
        assertThat(proposed).noneMatch(op -> isPutOf(op, later));
        byte[] changed = content(later, "two");
        Files.write(root.resolve(later), changed);

        AtomicBoolean answering = new AtomicBoolean(true);
        Thread cluster = new Thread(() -> answer(answering));
        cluster.setDaemon(true);
        cluster.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> sync.pendingCount() == 0 && countFiles() == files);
        } finally {
            answering.set(false);
            cluster.join(5000);
        }

        assertThat(mostUnanswered.get()).isEqualTo(MAX_IN_FLIGHT);
        assertThat(backlog[0].inFlight()).isZero();
        assertThat(backlog[0].pathsWaiting()).isZero();
        assertThat(proposed.stream().filter(op -> isPutOf(op, later))).hasSize(1);
        assertThat(index.get(later).sha256()).isEqualTo(Hashing.sha256Hex(changed));
        for (int d = 0; d < DIRS; d++) {
            for (int f = 0; f < FILES_PER_DIR; f++) assertThat(index.get("d" + d + "/f" + f)).isNotNull();
        }
    }

    private static boolean isPutOf(Op op, String path) {
        return op instanceof Op.Put put && put.path().equals(path);
    }

    private long countFiles() {
        return index.list("").stream().map(e -> e.getValue()).filter(Entry::isFile).count();
    }

    /** Commits what was proposed, in order, as the cluster would. */
    private void answer(AtomicBoolean answering) {
        long logIndex = 0;
        while (answering.get()) {
            Sent s;
            try {
                s = sent.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (s == null) continue;
            Result r = index.apply(s.op(), ++logIndex);
            unanswered.decrementAndGet();
            s.reply().complete(r);
        }
    }
}
