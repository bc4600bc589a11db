package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.Hashing;
import io.pickbox.index.Entry;
import io.pickbox.os.Durability;
import io.pickbox.os.PowerCut;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.StagedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A committed file put in place through a power cut at every sync point: the folder holds the old
 * version or the whole new one, never a torn or missing file, and the new one once the write was
 * reported done (what the local table then records).
 */
class MaterializerPowerCutTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path dir;
    @TempDir
    Path state;

    @AfterEach
    void realDurability() {
        Durability.use(Durability.REAL);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Entry entryOf(byte[] content, BlobStore blobs) throws Exception {
        List<String> chunks = new ArrayList<>();
        for (int off = 0; off < content.length; off += CHUNK) {
            byte[] c = Arrays.copyOfRange(content, off, Math.min(content.length, off + CHUNK));
            chunks.add(Hashing.sha256Hex(c));
            blobs.put(Hashing.sha256Hex(c), ByteBuffer.wrap(c));
        }
        return new Entry(Entry.Kind.FILE, 7, content.length, Hashing.sha256Hex(content), chunks, 0640,
                1_700_000_000_000L, "n1", null);
    }

    @Test
    void aLargeFile() throws Exception {
        cutEverywhere(bytes(2 * CHUNK + 100, 1), bytes(CHUNK + 7, 2));
    }

    @Test
    void aSmallFileThroughTheGroupCommit() throws Exception {
        cutEverywhere(bytes(3000, 3), bytes(10, 4));
    }

    private void cutEverywhere(byte[] now, byte[] before) throws Exception {
        try (BlobStore blobs = new BlobStore(state.resolve("blobs"))) {
            Entry entry = entryOf(now, blobs);
            for (int n = 1; ; n++) {
                Path root = Files.createDirectories(dir.resolve("run" + n));
                Files.write(Files.createDirectories(root.resolve("d")).resolve("f.bin"), before);
                PowerCut cut = PowerCut.over(root, p -> false).cutAt(n);
                boolean done = false;
                try (StagedFiles staged = new StagedFiles(root);
                     Materializer m = new Materializer(root, blobs, staged,
                             new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)), new Transfers())) {
                    CompletableFuture<?> written = m.writeFile("d/f.bin", entry, s -> true);
                    // a cut in the group commit's thread ends that thread: the write then never completes
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!written.isDone() && !cut.cut() && System.nanoTime() < deadline) Thread.sleep(5);
                    if (written.isDone()) {
                        written.get();
                        done = true;
                    }
                } catch (PowerCut.Cut | java.util.concurrent.ExecutionException off) {
                    assertThat(cut.cut()).as("failed only by the cut: %s", off).isTrue();
                }
                assertThat(done || cut.cut()).as("point %d: done, or cut", n).isTrue();
                boolean wasCut = cut.cut();
                cut.restore();
                byte[] after = Files.readAllBytes(root.resolve("d/f.bin"));
                if (done) {
                    assertThat(after).as("cut at point %d after the write was done", n).isEqualTo(now);
                } else {
                    assertThat(Arrays.equals(after, now) || Arrays.equals(after, before)).as("cut at point %d: old or new, whole", n).isTrue();
                }
                if (!wasCut) break;
            }
        }
    }
}
