package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pickbox.index.Index;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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

    /** Completes when the cluster takes proposals again. */
    private final CompletableFuture<Void> clusterBack = new CompletableFuture<>();
    private EngineFixture fx;
    private Index index;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, f -> (op, data) -> clusterBack.thenApply(v -> f.commit(op)), null, TRACKED).listening();
        index = fx.index;
        sync = fx.sync;
    }

    @AfterEach
    void tearDown() throws Exception {
        clusterBack.complete(null);
        fx.close();
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
