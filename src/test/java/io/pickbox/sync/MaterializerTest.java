package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.Placement;
import io.pickbox.transfer.StagedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A received large file put in place from a staged file and the blobs, or from the blobs alone. */
class MaterializerTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path root;
    @TempDir
    Path state;
    private BlobStore blobs;
    private StagedFiles staged;
    private Materializer materializer;

    /** Three full chunks and a short one. */
    private final byte[] content = bytes(3 * CHUNK + 100, 1);
    private final List<String> chunks = new ArrayList<>();
    private Entry entry;

    @BeforeEach
    void setUp() throws Exception {
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(root);
        materializer = new Materializer(root, blobs, staged, new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)), new Transfers());
        for (int off = 0; off < content.length; off += CHUNK) {
            byte[] c = chunk(off / CHUNK);
            chunks.add(Hashing.sha256Hex(c));
            blobs.put(Hashing.sha256Hex(c), ByteBuffer.wrap(c));
        }
        entry = new Entry(Entry.Kind.FILE, 7, content.length, Hashing.sha256Hex(content), chunks, 0640,
                1_700_000_000_000L, "n1", null);
    }

    @AfterEach
    void tearDown() {
        materializer.close();
        staged.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] chunk(int i) {
        return Arrays.copyOfRange(content, i * CHUNK, Math.min(content.length, (i + 1) * CHUNK));
    }

    private void stage(int index, byte[] data) {
        staged.write(new Placement("big.bin", (long) index * CHUNK), Hashing.sha256Hex(data), ByteBuffer.wrap(data));
    }

    private List<Path> temps() throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PathValidator.TEMP_PREFIX)).toList();
        }
    }

    @Test
    void aStagedFileIsCompletedWithTheChunksItLacksOrHoldsInAnotherVersion() throws Exception {
        stage(0, chunk(0));
        stage(1, bytes(CHUNK, 99)); // another version's chunk at this offset
        stage(3, chunk(3));
        stage(5, bytes(CHUNK, 98)); // beyond the end of this version

        FileStat st = materializer.writeFile("big.bin", entry, s -> true).get();

        Path file = root.resolve("big.bin");
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        assertThat(st.size()).isEqualTo(content.length);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(entry.mtime());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(staged.bytesUsed()).as("chunks 0 and 3 came from the staged file").isEqualTo(CHUNK + 100);
        assertThat(temps()).isEmpty();
    }

    @Test
    void aSmallFileDeletedLatelyIsMovedBackFromTheAtticNotWrittenAgain() throws Exception {
        Attic attic = Attic.open(root.resolve(".pickbox/attic"), root);
        Materializer withAttic = new Materializer(root, blobs, staged, new BlobFetcher(blobs, List::of, PeerAccess.plaintext(null)),
                new Transfers(), attic, Materializer.ChunkHolders.NONE);
        try {
            byte[] small = "kept a while".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String sha = Hashing.sha256Hex(small);
            Files.write(root.resolve("a.txt"), small);
            long inode = FileStat.of(root.resolve("a.txt")).inode();

            assertThat(withAttic.deleteFile("a.txt", st -> true, sha).get()).isTrue();
            assertThat(root.resolve("a.txt")).doesNotExist();

            // Its blob is held nowhere and no peer answers: only the attic has these bytes.
            Entry back = new Entry(Entry.Kind.FILE, 9, small.length, sha, List.of(sha), 0600, 1_700_000_000_000L, "n2", null);
            FileStat st = withAttic.writeFile("b/a.txt", back, s -> true).get();

            Path file = root.resolve("b/a.txt");
            assertThat(Files.readAllBytes(file)).isEqualTo(small);
            assertThat(st.inode()).isEqualTo(inode);
            assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(1_700_000_000_000L);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(attic.files()).isZero();
        } finally {
            withAttic.close();
        }
    }

    @Test
    void withoutAStagedFileItIsAssembledFromTheBlobs() throws Exception {
        materializer.writeFile("big.bin", entry, s -> true).get();

        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(content);
        assertThat(staged.bytesUsed()).isZero();
        assertThat(temps()).isEmpty();
    }

    @Test
    void chunksThisNodeLacksAreFetchedStraightIntoTheFile() throws Exception {
        // A peer serving every chunk; this node holds only the first one.
        com.sun.net.httpserver.HttpServer peer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        peer.createContext("/v1/blobs/", ex -> {
            int index = chunks.indexOf(ex.getRequestURI().getPath().substring("/v1/blobs/".length()));
            byte[] body = chunk(index);
            served.incrementAndGet();
            asked.add(index + " " + ex.getRequestURI().getQuery());
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        peer.start();
        try {
            BlobStore fresh = new BlobStore(state.resolve("fresh"));
            fresh.put(chunks.get(0), ByteBuffer.wrap(chunk(0)));
            String address = "127.0.0.1:" + peer.getAddress().getPort();
            try (Materializer joining = new Materializer(root, fresh, staged,
                    new BlobFetcher(fresh, () -> List.of(address), PeerAccess.plaintext(null)), new Transfers())) {
                joining.writeFile("big.bin", entry, s -> true).get();
            }
            assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(content);
            assertThat(served.get()).isEqualTo(chunks.size() - 1);
            // Each request says where the chunk goes, so that a peer can read it from its copy of the file.
            assertThat(asked).containsExactlyInAnyOrder("1 path=big.bin&offset=" + CHUNK, "2 path=big.bin&offset=" + 2 * CHUNK,
                    "3 path=big.bin&offset=" + 3 * CHUNK);
            // The file is the one copy kept: no blob of a chunk written into it.
            for (int i = 1; i < chunks.size(); i++) assertThat(fresh.has(chunks.get(i))).as("chunk " + i + " kept as a blob").isFalse();
            assertThat(temps()).isEmpty();
        } finally {
            peer.stop(0);
        }
    }

    @Test
    void aCorruptBlobIsNeverWrittenIntoTheFile() throws Exception {
        stage(0, chunk(0));
        Path blob = blobs.path(chunks.get(2));
        Files.write(blob, bytes(CHUNK, 97));

        // Found damaged completing the staged file, dropped; then missing when assembling it from the blobs.
        assertThatThrownBy(() -> materializer.writeFile("big.bin", entry, s -> true))
                .hasMessageContaining("chunk " + chunks.get(2).substring(0, 12) + " is not available from any peer yet");

        assertThat(blobs.has(chunks.get(2))).isFalse();
        assertThat(root.resolve("big.bin")).doesNotExist();
        assertThat(temps()).isEmpty();
    }

    /**
     * A full chunk's blob that the disk damaged after it was stored is dropped when found: kept, it
     * would count as held, never be fetched again, and hold the file back on this node for good.
     */
    @Test
    void aLargeFileWhoseBlobTheDiskDamagedIsNotWrittenAndTheRetryFetchesTheChunkAgain() throws Exception {
        com.sun.net.httpserver.HttpServer peer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<Integer> served = java.util.Collections.synchronizedList(new ArrayList<>());
        peer.createContext("/v1/blobs/", ex -> {
            int index = chunks.indexOf(ex.getRequestURI().getPath().substring("/v1/blobs/".length()));
            byte[] body = chunk(index);
            served.add(index);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        peer.start();
        try {
            byte[] damaged = chunk(1);
            damaged[5] ^= 1;
            Files.write(blobs.path(chunks.get(1)), damaged);
            String address = "127.0.0.1:" + peer.getAddress().getPort();
            try (Materializer m = new Materializer(root, blobs, staged,
                    new BlobFetcher(blobs, () -> List.of(address), PeerAccess.plaintext(null)), new Transfers())) {
                assertThatThrownBy(() -> m.writeFile("big.bin", entry, s -> true)).hasMessageContaining("does not match its hash");
                assertThat(root.resolve("big.bin")).doesNotExist();
                assertThat(blobs.has(chunks.get(1))).as("dropped, so that the retry fetches it again").isFalse();

                m.writeFile("big.bin", entry, s -> true).get();
            }
            assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(content);
            assertThat(served).containsExactly(1);
            assertThat(temps()).isEmpty();
        } finally {
            peer.stop(0);
        }
    }

    @Test
    void aFileOfOneChunkWhoseBlobTheDiskDamagedIsNotWrittenAndTheBlobIsDropped() throws Exception {
        byte[] content = chunk(0);
        String sha = Hashing.sha256Hex(content);
        Entry one = new Entry(Entry.Kind.FILE, 3, content.length, sha, List.of(sha), 0644, 1_700_000_000_000L, "n1", null);
        blobs.put(sha, java.nio.ByteBuffer.wrap(content));
        byte[] damaged = content.clone();
        damaged[7] ^= 1;
        Files.write(blobs.path(sha), damaged);

        assertThatThrownBy(() -> materializer.writeFile("one.bin", one, s -> true)).isInstanceOf(java.io.IOException.class);

        assertThat(root.resolve("one.bin")).doesNotExist();
        assertThat(blobs.has(sha)).as("dropped, so that the retry fetches it again").isFalse();
        assertThat(temps()).isEmpty();
    }

    @Test
    void aLocalEditInTheWayKeepsTheFileAndLeavesNoTempFile() throws Exception {
        for (int i = 0; i < chunks.size(); i++) stage(i, chunk(i));
        Files.writeString(root.resolve("big.bin"), "edited here");

        assertThatThrownBy(() -> materializer.writeFile("big.bin", entry, s -> false)).isInstanceOf(Materializer.LocalEditInTheWay.class);

        assertThat(Files.readString(root.resolve("big.bin"))).isEqualTo("edited here");
        assertThat(temps()).isEmpty();
    }

    @Test
    void anEditsUnchangedChunksAreCopiedFromTheVersionInTheFolder() throws Exception {
        // The folder holds the previous version: chunk 2 differs. This node has no blob and no peer.
        byte[] previous = content.clone();
        System.arraycopy(bytes(CHUNK, 55), 0, previous, 2 * CHUNK, CHUNK);
        Files.write(root.resolve("big.bin"), previous);
        BlobStore empty = new BlobStore(state.resolve("empty"));
        stage(2, chunk(2)); // the edited chunk, pushed by the writer
        try (Materializer m = new Materializer(root, empty, staged, new BlobFetcher(empty, List::of, PeerAccess.plaintext(null)), new Transfers())) {
            m.writeFile("big.bin", entry, s -> true).get();
        }
        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(content);
        assertThat(temps()).isEmpty();
    }

    /**
     * A sparse file (a disk image: 8 MiB, data in its second chunk only) is written sparse: its
     * chunks of zeros are neither fetched nor written, and take no space. It used to take all 8 MiB.
     */
    @Test
    void chunksOfZerosAreLeftAsHolesTakingNoSpace() throws Exception {
        byte[] data = bytes(CHUNK, 5);
        byte[] image = new byte[8 * CHUNK];
        System.arraycopy(data, 0, image, CHUNK, CHUNK);
        List<String> imageChunks = new ArrayList<>();
        for (int i = 0; i < 8; i++) imageChunks.add(i == 1 ? Hashing.sha256Hex(data) : Hashing.ZERO_CHUNK_SHA256);
        assertThat(Hashing.sha256Hex(new byte[CHUNK])).isEqualTo(Hashing.ZERO_CHUNK_SHA256);
        // This node holds only the data chunk; no blob of zeros, and no peer.
        blobs.put(imageChunks.get(1), ByteBuffer.wrap(data));
        Entry sparse = new Entry(Entry.Kind.FILE, 8, image.length, Hashing.sha256Hex(image), imageChunks, 0644, 1_700_000_000_000L, "n1", null);

        materializer.writeFile("disk.img", sparse, s -> true).get();

        Path file = root.resolve("disk.img");
        assertThat(Files.size(file)).isEqualTo(image.length);
        assertThat(Files.readAllBytes(file)).isEqualTo(image);
        assumeHoles();
        assertThat(allocatedBytes(file)).as("bytes on disk").isLessThanOrEqualTo(CHUNK + 64 * 1024);
        assertThat(temps()).isEmpty();
    }

    @Test
    void aStagedSparseFileKeepsItsHoles() throws Exception {
        byte[] data = bytes(CHUNK, 6);
        byte[] image = new byte[6 * CHUNK];
        System.arraycopy(data, 0, image, 2 * CHUNK, CHUNK);
        List<String> imageChunks = new ArrayList<>();
        for (int i = 0; i < 6; i++) imageChunks.add(i == 2 ? Hashing.sha256Hex(data) : Hashing.ZERO_CHUNK_SHA256);
        // As pushed while it was read: the data chunk, and the chunk of zeros once (the others were
        // known to be held by then); another version's chunk where a zero chunk goes.
        staged.write(new Placement("disk.img", 2L * CHUNK), imageChunks.get(2), ByteBuffer.wrap(data));
        staged.write(new Placement("disk.img", 0), Hashing.ZERO_CHUNK_SHA256, ByteBuffer.wrap(new byte[CHUNK]));
        staged.write(new Placement("disk.img", 4L * CHUNK), Hashing.sha256Hex(content, 0, CHUNK), ByteBuffer.wrap(chunk(0)));
        blobs.put(Hashing.ZERO_CHUNK_SHA256, ByteBuffer.wrap(new byte[CHUNK]));
        Entry sparse = new Entry(Entry.Kind.FILE, 8, image.length, Hashing.sha256Hex(image), imageChunks, 0644, 1_700_000_000_000L, "n1", null);

        materializer.writeFile("disk.img", sparse, s -> true).get();

        Path file = root.resolve("disk.img");
        assertThat(Files.readAllBytes(file)).isEqualTo(image);
        assumeHoles();
        // The data chunk, the zeros staged at 0 and those written over the other version's chunk.
        assertThat(allocatedBytes(file)).as("bytes on disk").isLessThanOrEqualTo(3L * CHUNK + 64 * 1024);
        assertThat(temps()).isEmpty();
    }

    private void assumeHoles() throws Exception {
        Path probe = root.resolve("probe");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(probe.toFile(), "rw")) {
            f.setLength(8L * CHUNK);
        }
        assumeTrue(allocatedBytes(probe) < CHUNK, "this file system keeps holes");
        Files.delete(probe);
    }

    /** st_blocks x 512: the space the file takes on disk. */
    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out) * 512;
    }

    @Test
    void aCopyOfAnotherFileInTheFolderIsMadeFromThatFile() throws Exception {
        // The folder holds the same content under another name; this node has no blob and no peer.
        Files.createDirectories(root.resolve("media"));
        Files.write(root.resolve("media/original.bin"), content);
        BlobStore empty = new BlobStore(state.resolve("empty"));
        try (Materializer m = new Materializer(root, empty, staged, new BlobFetcher(empty, List::of, PeerAccess.plaintext(null)),
                new Transfers(), Attic.none(), holdersAt("media/original.bin"))) {
            m.writeFile("big.bin", entry, s -> true).get();
        }
        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(content);
        assertThat(temps()).isEmpty();
    }

    @Test
    void aFileTheIndexSaysHoldsAChunkButThatChangedSinceIsNotCopied() throws Exception {
        // The index names media/original.bin, but its chunk 1 was edited here since: that chunk
        // comes from nowhere (no blob, no peer), and the folder is left as it was.
        byte[] edited = content.clone();
        System.arraycopy(bytes(CHUNK, 56), 0, edited, CHUNK, CHUNK);
        Files.createDirectories(root.resolve("media"));
        Files.write(root.resolve("media/original.bin"), edited);
        BlobStore empty = new BlobStore(state.resolve("empty"));
        try (Materializer m = new Materializer(root, empty, staged, new BlobFetcher(empty, List::of, PeerAccess.plaintext(null)),
                new Transfers(), Attic.none(), holdersAt("media/original.bin"))) {
            assertThatThrownBy(() -> m.writeFile("big.bin", entry, s -> true)).hasMessageContaining("chunk " + chunks.get(1).substring(0, 12));
        }
        assertThat(root.resolve("big.bin")).doesNotExist();
        assertThat(temps()).isEmpty();
    }

    /** Every chunk of {@link #entry} held at its own offset of {@code path}, as the index would say of a copy. */
    private Materializer.ChunkHolders holdersAt(String path) {
        return sha -> {
            int i = chunks.indexOf(sha);
            return i < 0 ? List.of() : List.of(new Placement(path, (long) i * CHUNK));
        };
    }

    @Test
    void aChunkRepeatedInTheFileIsCopiedFromWhereItIsAlready() throws Exception {
        byte[] repeated = new byte[3 * CHUNK];
        byte[] one = bytes(CHUNK, 5);
        for (int i = 0; i < 3; i++) System.arraycopy(one, 0, repeated, i * CHUNK, CHUNK);
        String h = Hashing.sha256Hex(one);
        Entry e = new Entry(Entry.Kind.FILE, 3, repeated.length, Hashing.sha256Hex(repeated), List.of(h, h, h), 0644,
                1_700_000_000_000L, "n1", null);
        BlobStore empty = new BlobStore(state.resolve("empty"));
        stage(1, one); // the writer pushed it once
        try (Materializer m = new Materializer(root, empty, staged, new BlobFetcher(empty, List::of, PeerAccess.plaintext(null)), new Transfers())) {
            m.writeFile("big.bin", e, s -> true).get();
        }
        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(repeated);
    }

    @Test
    void aChunkNoPlaceHoldsLeavesTheFolderAsItWas() throws Exception {
        byte[] previous = bytes(3 * CHUNK + 100, 66); // another version: no chunk matches
        Files.write(root.resolve("big.bin"), previous);
        BlobStore empty = new BlobStore(state.resolve("empty"));
        stage(0, chunk(0));
        try (Materializer m = new Materializer(root, empty, staged, new BlobFetcher(empty, List::of, PeerAccess.plaintext(null)), new Transfers())) {
            assertThatThrownBy(() -> m.writeFile("big.bin", entry, s -> true)).hasMessageContaining("not available");
        }
        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(previous);
        assertThat(temps()).isEmpty();
    }

    @Test
    void nothingIsWrittenChmodedOrTouchedThroughADirectoryThatIsASymlink() throws Exception {
        Path outside = Files.createDirectories(state.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("big.bin"), "the outside secret");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(secret, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        Files.createSymbolicLink(root.resolve("d"), outside);
        Entry small = new Entry(Entry.Kind.FILE, 3, 4, Hashing.sha256Hex(chunk(0)), chunks.subList(0, 1), 0777,
                1_700_000_000_000L, "n1", null);

        assertThatThrownBy(() -> materializer.writeFile("d/big.bin", entry, st -> true).join())
                .isInstanceOfSatisfying(io.pickbox.os.SymlinkInPathException.class, e -> assertThat(e.symlink()).isEqualTo("d"));
        assertThatThrownBy(() -> materializer.writeFile("d/small.bin", small, st -> true).join())
                .isInstanceOf(io.pickbox.os.SymlinkInPathException.class);
        assertThatThrownBy(() -> materializer.updateMeta("d/big.bin", entry)).isInstanceOf(io.pickbox.os.SymlinkInPathException.class);
        assertThatThrownBy(() -> materializer.makeDirectory("d/sub", Entry.dir(3, 0777, 0, "n1")))
                .isInstanceOf(io.pickbox.os.SymlinkInPathException.class);
        assertThat(materializer.deleteFile("d/big.bin", st -> true).join()).as("nothing of the folder is there").isTrue();

        try (var all = Files.list(outside)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactly("big.bin");
        }
        assertThat(secret).hasContent("the outside secret");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(secret).toMillis()).isEqualTo(1_000_000_000_000L);
    }
}
