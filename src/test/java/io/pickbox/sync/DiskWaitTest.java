package io.pickbox.sync;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.StagedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A committed file that cannot be written into the folder for a reason of the disk waits, shown
 * with its reason and counted, while the other files are written; it is written once the disk
 * lets it, with no restart.
 */
class DiskWaitTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final TestOps n2 = new TestOps("n2");
    private final Index index = new Index();
    private final AtomicLong logIndex = new AtomicLong();
    /** What the folder's file system has free, as the engine reads it. */
    private final AtomicLong free = new AtomicLong(Long.MAX_VALUE / 4);
    private LocalTable table;
    private BlobStore blobs;
    private StagedFiles staged;
    private SyncEngine sync;

    @BeforeEach
    void setUp() throws Exception {
        table = new LocalTable(state.resolve("local"));
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(root);
        Uploader uploader = new Uploader("n1", index, (op, data) -> CompletableFuture.completedFuture(commit(op)), h -> false);
        Materializer materializer = new Materializer(root, blobs, staged,
                new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)), uploader.transfers);
        DiskSpace space = new DiskSpace(new DiskSpace.Probe() {
            @Override
            public long usable() {
                return free.get();
            }

            @Override
            public long total() {
                return 100L << 20;
            }
        });
        sync = new SyncEngine("n1", root, index, table, uploader, materializer, p -> false, SyncEngine.Settings.defaults(false), space);
        index.addListener(sync);
        sync.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        sync.close();
        staged.close();
        table.close();
        blobs.close();
    }

    private io.pickbox.index.Result commit(Op op) {
        synchronized (index) {
            return index.apply(op, logIndex.incrementAndGet());
        }
    }

    /** Commits a small file whose content this node holds. */
    private void commitSmall(String path, String content) throws Exception {
        byte[] b = TestOps.bytes(content);
        blobs.put(Hashing.sha256Hex(b), ByteBuffer.wrap(b));
        commit(n2.put(path, content, 0));
    }

    /** Commits a file of several chunks whose chunks this node holds; returns its content. */
    private byte[] commitLarge(String path, int size) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        List<String> chunks = new ArrayList<>();
        for (int off = 0; off < size; off += CHUNK) {
            byte[] c = java.util.Arrays.copyOfRange(content, off, Math.min(size, off + CHUNK));
            chunks.add(Hashing.sha256Hex(c));
            blobs.put(Hashing.sha256Hex(c), ByteBuffer.wrap(c));
        }
        commit(n2.chunkedPut(path, size, Hashing.sha256Hex(content), chunks, 0));
        return content;
    }

    private List<Path> tempFiles() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> PathValidator.isTempName(p.getFileName().toString())).toList();
        }
    }

    @Test
    void aFileThatDoesNotFitWaitsWhileSmallerOnesAreWrittenAndIsWrittenOnceThereIsRoom() throws Exception {
        free.set(3L << 20); // room for small files and the margin (2 MiB here), not for 3 MiB more
        byte[] large = commitLarge("big.bin", 3 * CHUNK + 10);
        commitSmall("a.txt", "small a");

        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("a.txt")).hasContent("small a"));
        await().atMost(T).untilAsserted(() -> assertThat(sync.explain("big.bin").why()).startsWith("waiting for disk space: needs "));
        assertThat(sync.explain("big.bin").why()).contains("3.1 MB free");
        SyncEngine.Stalls stalls = sync.stalls();
        assertThat(stalls.pathsWaitingForSpace()).isEqualTo(1);
        assertThat(stalls.bytesWaitingForSpace()).isEqualTo(large.length);
        assertThat(sync.problems()).containsKey("big.bin");
        assertThat(root.resolve("big.bin")).doesNotExist();
        assertThat(tempFiles()).as("nothing of it was written").isEmpty();

        // Small files go on meanwhile.
        commitSmall("b.txt", "small b");
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("b.txt")).hasContent("small b"));

        free.set(1L << 30);
        await().atMost(T).untilAsserted(() -> assertThat(root.resolve("big.bin")).hasBinaryContent(large));
        await().atMost(T).untilAsserted(() -> assertThat(sync.stalls()).isEqualTo(SyncEngine.Stalls.NONE));
        assertThat(sync.explain("big.bin").state()).isEqualTo(PathReport.IN_SYNC);
        assertThat(sync.problems()).doesNotContainKey("big.bin");
    }

    @Test
    void aDirectoryThatRefusesWritesHoldsOnlyItsOwnFilesUntilItAcceptsThem() throws Exception {
        Path locked = Files.createDirectories(root.resolve("locked"));
        commit(n2.mkdir("locked"));
        await().atMost(T).until(() -> table.get("locked") != null);
        // Root ignores permission bits; an immutable directory refuses even root.
        boolean immutable = chattr("+i", locked);
        assumeThat(immutable).as("chattr +i works here (needs CAP_LINUX_IMMUTABLE and a file system that has the flag)").isTrue();
        try {
            commitSmall("locked/x.txt", "refused for now");
            commitSmall("open.txt", "written");

            await().atMost(T).untilAsserted(() -> assertThat(root.resolve("open.txt")).hasContent("written"));
            await().atMost(T).untilAsserted(() -> assertThat(sync.explain("locked/x.txt").why())
                    .startsWith("cannot write into the folder (").contains("Operation not permitted"));
            assertThat(sync.stalls().pathsPermissionDenied()).isEqualTo(1);
            assertThat(sync.stalls().pathsWaitingForSpace()).isZero();
        } finally {
            chattr("-i", locked);
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(root.resolve("locked/x.txt")).hasContent("refused for now"));
        await().atMost(T).untilAsserted(() -> assertThat(sync.stalls()).isEqualTo(SyncEngine.Stalls.NONE));
    }

    @Test
    void aDiskThatFillsUpWhileAFileIsWrittenLeavesNoTempFileAndTheFileWaits() throws Exception {
        Path small = Files.createDirectories(root.resolve("small"));
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()))
                .as("mounting a tmpfs works here (root, and mount allowed)").isTrue();
        try {
            commit(n2.mkdir("small"));
            await().atMost(T).until(() -> table.get("small") != null);
            // The free space read says it fits (another writer takes it meanwhile): the write itself fails.
            byte[] large = commitLarge("small/big.bin", 3 * CHUNK + 10);
            await().atMost(T).untilAsserted(() -> assertThat(sync.explain("small/big.bin").why())
                    .startsWith("waiting for disk space: the disk filled up while it was written (").contains("No space left on device"));
            assertThat(sync.stalls().pathsWaitingForSpace()).isEqualTo(1);
            await().atMost(T).untilAsserted(() -> assertThat(tempFiles()).as("the partial file is removed").isEmpty());

            assertThat(run("mount", "-o", "remount,size=16m", small.toString())).isTrue();
            await().atMost(T).untilAsserted(() -> assertThat(small.resolve("big.bin")).hasBinaryContent(large));
            await().atMost(T).untilAsserted(() -> assertThat(sync.stalls()).isEqualTo(SyncEngine.Stalls.NONE));
        } finally {
            sync.close();
            run("umount", "-l", small.toString());
        }
    }

    private static boolean run(String... cmd) throws Exception {
        try {
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            proc.getInputStream().readAllBytes();
            return proc.waitFor() == 0;
        } catch (java.io.IOException notThere) {
            return false;
        }
    }

    private static boolean chattr(String flag, Path p) throws Exception {
        try {
            Process proc = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
            proc.getInputStream().readAllBytes();
            return proc.waitFor() == 0;
        } catch (java.io.IOException noChattr) {
            return false;
        }
    }
}
