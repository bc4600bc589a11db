package io.pickbox.it;

import io.pickbox.folder.Hashing;
import io.pickbox.index.HistoryVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large file's chunks live in the file itself on every node: once an edit or a delete replaces
 * it, the nodes that applied the change keep the old version's chunks for the history, and the node
 * that made the change (whose folder lost them first) restores the old version from its peers.
 */
class OldVersionBytesIT {

    private static final Duration T = Duration.ofSeconds(60);
    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    /** Where a full chunk is kept as a blob on {@code n} (shorter ones are packed). */
    private static Path blob(TestNode n, String sha) {
        return n.dir().resolve(".pickbox/blobs").resolve(sha.substring(0, 2)).resolve(sha);
    }

    private static String chunk(byte[] content, int i) {
        return Hashing.sha256Hex(Arrays.copyOfRange(content, i * CHUNK, Math.min(content.length, (i + 1) * CHUNK)));
    }

    private static long versionOf(TestNode n, String path, byte[] content) {
        String sha = Hashing.sha256Hex(content);
        for (HistoryVersion v : n.node().index().history(path, 20)) if (v.entry().sha256().equals(sha)) return v.version();
        throw new AssertionError("no version of " + path + " with that content on " + n);
    }

    private static void restore(TestNode on, String path, long version) throws Exception {
        HttpResponse<String> r = AdminHttp.postJson(on.adminAddress(), "/v1/restore",
                "{\"path\": \"" + path + "\", \"version\": " + version + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anEditedAndADeletedLargeFileComeBackOnTheNodeThatChangedIt() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 3)) {
            TestNode n1 = cluster.node(0), n2 = cluster.node(1), n3 = cluster.node(2);
            byte[] v1 = randomBytes(3 * CHUNK + 17, 1);
            ItSupport.write(n1.file("media/big.bin"), v1);
            awaitContent(cluster.nodes(), "media/big.bin", v1, T);
            cluster.awaitConverged(T);

            // Edited on node1: its middle chunks change, the first one and the tail stay.
            byte[] v2 = v1.clone();
            for (int i = CHUNK; i < 3 * CHUNK; i++) v2[i] ^= 0x5a;
            ItSupport.write(n1.file("media/big.bin"), v2);
            awaitContent(cluster.nodes(), "media/big.bin", v2, T);
            cluster.awaitConverged(T);
            for (TestNode n : new TestNode[] {n2, n3}) {
                assertThat(blob(n, chunk(v1, 1))).as("the replaced chunk, kept on " + n).exists();
                assertThat(blob(n, chunk(v1, 2))).as("the replaced chunk, kept on " + n).exists();
                assertThat(blob(n, chunk(v1, 0))).as("still in the current file on " + n).doesNotExist();
            }
            assertThat(blob(n1, chunk(v1, 1))).as("node1's own edit overwrote its only copy").doesNotExist();

            restore(n1, "media/big.bin", versionOf(n1, "media/big.bin", v1));
            awaitContent(cluster.nodes(), "media/big.bin", v1, T);
            cluster.awaitConverged(T);

            // Deleted on node2: the others keep all of it (nothing current holds its chunks any more).
            long restored = versionOf(n1, "media/big.bin", v1);
            Files.delete(n2.file("media/big.bin"));
            ItSupport.awaitGone(cluster.nodes(), "media/big.bin", T);
            cluster.awaitConverged(T);
            for (TestNode n : new TestNode[] {n1, n3}) {
                for (int i = 0; i < 3; i++) assertThat(blob(n, chunk(v1, i))).as("chunk " + i + " kept on " + n).exists();
            }
            restore(n2, "media/big.bin", restored);
            awaitContent(cluster.nodes(), "media/big.bin", v1, T);
            cluster.awaitConverged(T);
        }
    }
}
