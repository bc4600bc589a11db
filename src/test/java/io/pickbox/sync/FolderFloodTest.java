package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.StagedFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More changes made in the folder than the scheduler tracks (a large tree copied in faster than
 * the cluster commits it): the node holds a bounded number of paths, remembers the rest by their
 * directories, and proposes every file once the cluster takes proposals again. Here the cluster
 * takes none until the test lets it.
 */
class FolderFloodTest {

    private static final int TRACKED = 64;
    private static final int FILES = 1_000;
    /** Twice the bound for local changes, and what one walk may take past it at most. */
    private static final int MOST_HELD = 2 * TRACKED + TRACKED / 4 + 1;
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final Index index = new Index();
    private final AtomicLong logIndex = new AtomicLong();
    /** Completes when the cluster takes proposals again. */
    private final CompletableFuture<Void> clusterBack = new CompletableFuture<>();
    private LocalTable table;
    private BlobStore blobs;
    private StagedFiles staged;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        table = new LocalTable(state.resolve("local"));
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(root);
        Proposer cluster = (op, data) -> clusterBack.thenApply(v -> commit(op));
        Uploader uploader = new Uploader("n1", index, cluster, h -> false);
        Materializer materializer = new Materializer(root, blobs, staged,
                new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)), uploader.transfers);
        sync = new SyncEngine("n1", root, index, table, uploader, materializer, p -> false,
                SyncEngine.Settings.defaults(false), TRACKED);
        index.addListener(sync);
    }

    @AfterEach
    void tearDown() throws Exception {
        clusterBack.complete(null);
        sync.close();
        staged.close();
        table.close();
        blobs.close();
    }

    private Result commit(Op op) {
        synchronized (index) {
            return index.apply(op, logIndex.incrementAndGet());
        }
    }

    private static String path(int i) {
        return "d" + (i % 10) + "/f" + i + ".txt";
    }

    private void write(int i) throws Exception {
        Path f = root.resolve(path(i));
        Files.createDirectories(f.getParent());
        Files.writeString(f, "content " + i);
    }

    private void allProposed() {
        await().atMost(T).untilAsserted(() -> {
            for (int i = 0; i < FILES; i++) assertThat(index.get(path(i))).as(path(i)).isNotNull();
            assertThat(sync.pendingCount()).isZero();
        });
        assertThat(index.size()).as("every file and directory").isEqualTo(FILES + 10);
        assertThat(sync.mostPending()).as("paths held at once").isLessThanOrEqualTo(MOST_HELD);
    }

    @Test
    void changesSeenFasterThanTheyAreCommittedAreHeldWithinABoundAndAllProposed() throws Exception {
        sync.start();
        await().atMost(T).until(() -> sync.lastFullScan() != null);

        for (int i = 0; i < FILES; i++) {
            write(i);
            sync.changed(path(i), true);
        }
        await().atMost(T).untilAsserted(() -> assertThat(sync.pendingCount()).isGreaterThanOrEqualTo(2 * TRACKED));

        clusterBack.complete(null);
        allProposed();
    }

    @Test
    void aFileEditedAgainAfterItsDirectoryWasLeftForLaterIsProposedInItsLastForm() throws Exception {
        sync.start();
        await().atMost(T).until(() -> sync.lastFullScan() != null);
        for (int i = 0; i < FILES; i++) {
            write(i);
            sync.changed(path(i), true);
        }
        // The first files were taken; this one is one of them, edited again while nothing is committed.
        Files.writeString(root.resolve(path(0)), "edited again");
        sync.changed(path(0), true);

        clusterBack.complete(null);
        allProposed();
        await().atMost(T).untilAsserted(() -> assertThat(index.get(path(0)).sha256())
                .isEqualTo(io.pickbox.folder.Hashing.sha256Hex("edited again".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void aStartUpScanFindingMoreChangesThanItMayTakeLeavesTheRestForLater() throws Exception {
        // Made while the node was down: only the start-up scan finds them.
        for (int i = 0; i < FILES; i++) write(i);

        sync.start();
        await().atMost(T).untilAsserted(() -> assertThat(sync.pendingCount()).isGreaterThanOrEqualTo(2 * TRACKED));

        clusterBack.complete(null);
        allProposed();
    }
}
