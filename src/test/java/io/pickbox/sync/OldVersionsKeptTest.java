package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.index.TestOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node that deletes or replaces a large file as another node's committed change says keeps the
 * chunks of the old version the history holds (the file was their only copy here), and can put
 * that version back when it is restored, without any peer.
 */
class OldVersionsKeptTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;
    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path root;
    @TempDir
    Path state;

    private EngineFixture fx;
    private final TestOps n2 = new TestOps("n2");

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixture(root, state, EngineFixture.clusterOfOne()).listening();
        fx.sync.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<String> chunksOf(byte[] content) {
        List<String> out = new ArrayList<>();
        for (int off = 0; off < content.length; off += CHUNK) {
            out.add(Hashing.sha256Hex(Arrays.copyOfRange(content, off, Math.min(content.length, off + CHUNK))));
        }
        return out;
    }

    /** Commits {@code content} at {@code path} as n2 did (its chunks held here, as pushed), and waits until it is in the folder. */
    private Entry committed(String path, byte[] content) throws Exception {
        return committed(path, content, List.of());
    }

    /** As above, the chunks {@code inTheFile} not sent: the file here holds them at their place. */
    private Entry committed(String path, byte[] content, List<String> inTheFile) throws Exception {
        List<String> chunks = chunksOf(content);
        for (int i = 0; i < chunks.size(); i++) {
            if (inTheFile.contains(chunks.get(i))) continue;
            fx.blobs.put(chunks.get(i), ByteBuffer.wrap(content, i * CHUNK, Math.min(CHUNK, content.length - i * CHUNK)));
        }
        Entry before = fx.index.get(path);
        Result r = fx.commit(n2.chunkedPut(path, content.length, Hashing.sha256Hex(content), chunks, before == null ? 0 : before.version()));
        assertThat(r.status()).isEqualTo(Result.Status.APPLIED);
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve(path)).hasBinaryContent(content));
        await().atMost(T).until(() -> fx.sync.pendingCount() == 0);
        return fx.index.get(path);
    }

    /** The blobs dropped, as the collector drops them once the file holds the bytes. */
    private void collected(byte[] content) throws Exception {
        for (String c : chunksOf(content)) fx.blobs.drop(c);
    }

    @Test
    void aDeletedFilesChunksAreKeptAndItsVersionRestoresFromThem() throws Exception {
        assertThat(fx.index.historyStatus().enabled()).isTrue();
        byte[] content = bytes(2 * CHUNK + 300, 1);
        Entry v1 = committed("docs/big.bin", content);
        collected(content);

        fx.commit(n2.delete("docs/big.bin", v1.version()));
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("docs/big.bin")).doesNotExist());

        for (String c : chunksOf(content)) assertThat(fx.blobs.has(c)).as(c).isTrue();
        assertThat(fx.index.historyHasChunk(chunksOf(content).get(0))).isTrue();

        Result restored = fx.commit(new Op.Restore(n2.next(), "docs/big.bin", v1.version(), 0, null, fx.index.versionClock(), null));
        assertThat(restored.status()).isEqualTo(Result.Status.APPLIED);
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("docs/big.bin")).hasBinaryContent(content));
    }

    @Test
    void anEditKeepsOnlyTheChunksItReplaced() throws Exception {
        byte[] v1 = bytes(3 * CHUNK + 10, 2);
        Entry first = committed("video.bin", v1);
        collected(v1);
        // The edit rewrites the middle: chunk 0 and the tail stay current, in the new file.
        byte[] v2 = v1.clone();
        Arrays.fill(v2, CHUNK, 3 * CHUNK, (byte) 7);
        List<String> old = chunksOf(v1);
        committed("video.bin", v2, List.of(old.get(0), old.get(3)));

        assertThat(fx.blobs.has(old.get(1))).isTrue();
        assertThat(fx.blobs.has(old.get(2))).isTrue();
        assertThat(fx.blobs.has(old.get(0))).as("still current: it lives in the file").isFalse();
        assertThat(fx.blobs.has(old.get(3))).as("still current: it lives in the file").isFalse();

        fx.commit(new Op.Restore(n2.next(), "video.bin", first.version(), 0, null, fx.index.versionClock(), null));
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("video.bin")).hasBinaryContent(v1));
    }

    @Test
    void withHistoryOffNothingIsKept() throws Exception {
        fx.commit(new Op.History(n2.next(), 0, -1, 0));
        assertThat(fx.index.historyStatus().enabled()).isFalse();
        byte[] content = bytes(CHUNK + 5, 3);
        Entry v1 = committed("plain.bin", content);
        collected(content);

        fx.commit(n2.delete("plain.bin", v1.version()));
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("plain.bin")).doesNotExist());
        for (String c : chunksOf(content)) assertThat(fx.blobs.has(c)).isFalse();
        assertThat(Files.exists(root.resolve("plain.bin"))).isFalse();
    }
}
