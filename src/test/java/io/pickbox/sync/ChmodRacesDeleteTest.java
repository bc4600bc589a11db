package io.pickbox.sync;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file's mode changed here while, elsewhere, the file was deleted or its directory moved: the
 * cluster has no entry left to apply the chmod to. The deletion or move wins, as it does when it
 * is applied here before the chmod is seen (a change of content would win instead): the file
 * goes here too, and the path is never left blocked, different here from everywhere else.
 */
class ChmodRacesDeleteTest {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    /** What n2 commits just before this node's chmod reaches the cluster. */
    private volatile Function<Op.Meta, Op> elsewhere;
    private EngineFixture fx;
    private Index index;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, f -> (op, data) -> {
            Function<Op.Meta, Op> first = elsewhere;
            if (op instanceof Op.Meta meta && first != null) {
                elsewhere = null;
                f.commit(first.apply(meta));
            }
            return CompletableFuture.completedFuture(f.commit(op));
        }).listening();
        index = fx.index;
        fx.sync.start();
        fx.contentArrives("report");
        fx.commit(n2.put("docs/report.txt", "report", 0644, 1_000, 0));
        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("docs/report.txt")).hasContent("report");
            assertThat(fx.sync.pendingCount()).isZero();
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void aChmodOfAFileDeletedElsewhereMeanwhileIsDroppedAndTheFileGoesHereToo() throws Exception {
        elsewhere = meta -> n2.delete(meta.path(), meta.base());

        chmod600("docs/report.txt");

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("docs/report.txt")).doesNotExist();
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(index.get("docs/report.txt")).isNull();
        assertThat(fx.table.get("docs/report.txt")).isNull();
        assertThat(fx.sync.blocked()).isEmpty();
    }

    @Test
    void aChmodOfAFileWhoseDirectoryMovedElsewhereMeanwhileLeavesItOnlyAtItsNewPath() throws Exception {
        elsewhere = meta -> n2.rename("docs", "papers", index.get("docs").version(), 0);

        chmod600("docs/report.txt");

        await().atMost(T).untilAsserted(() -> {
            assertThat(root.resolve("docs/report.txt")).doesNotExist();
            assertThat(root.resolve("papers/report.txt")).hasContent("report");
            assertThat(fx.sync.pendingCount()).isZero();
        });
        assertThat(index.get("docs/report.txt")).isNull();
        assertThat(fx.table.get("papers/report.txt").version()).isEqualTo(index.get("papers/report.txt").version());
        assertThat(fx.sync.blocked()).isEmpty();
    }

    private void chmod600(String path) throws Exception {
        Files.setPosixFilePermissions(root.resolve(path), PosixFilePermissions.fromString("rw-------"));
        fx.sync.changed(path, true);
    }
}
