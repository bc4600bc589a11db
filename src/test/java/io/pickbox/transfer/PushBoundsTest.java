package io.pickbox.transfer;

import io.javalin.Javalin;
import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a peer may push: chunks of a file it names, within that file's size, while the file fits on
 * the disk and the peer stays within its share; anything else is refused and leaves nothing behind.
 */
class PushBoundsTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;
    private static final long PER_PEER = 3L * CHUNK;

    @TempDir
    Path folder;
    @TempDir
    Path state;

    private final AtomicLong spare = new AtomicLong(1L << 40);
    private BlobStore blobs;
    private StagedFiles staged;
    private Javalin server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void serve() throws Exception {
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(folder, StagedFiles.ABANDONED_MILLIS, dir -> spare.get(), PER_PEER);
        server = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        new PeerChunkRoutes(blobs, new LocalChunks(blobs, new FolderChunks(folder)), staged).register(server);
        server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.stop();
        staged.close();
        blobs.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private HttpResponse<String> push(byte[] chunk, String path, long offset, Long fileSize) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/blobs/" + Hashing.sha256Hex(chunk)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(chunk)).header("Content-Type", "application/octet-stream")
                .header(ChunkPusher.PATH_HEADER, path).header(ChunkPusher.OFFSET_HEADER, Long.toString(offset));
        if (fileSize != null) b.header(ChunkPusher.SIZE_HEADER, Long.toString(fileSize));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Path> leftovers() throws Exception {
        try (Stream<Path> s = Stream.concat(Files.list(folder),
                Files.walk(state.resolve("blobs")).filter(p -> BlobStore.isHash(p.getFileName().toString())))) {
            return s.toList();
        }
    }

    @Test
    void anOffsetBeyondTheFilesSizeIsRefusedAndCreatesNothing() throws Exception {
        byte[] chunk = bytes(CHUNK, 1);
        HttpResponse<String> r = push(chunk, "big.bin", 1L << 40, 2L * CHUNK);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad request\"").contains("offset " + (1L << 40));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFileLargerThanTheDiskHasRoomForIsRefusedWith507AndCreatesNothing() throws Exception {
        byte[] chunk = bytes(CHUNK, 2);
        spare.set(100L * CHUNK);
        HttpResponse<String> r = push(chunk, "big.bin", 1L << 40, (1L << 40) + CHUNK);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(r.body()).startsWith("{\"error\":\"insufficient storage\"").contains("room for");
        assertThat(leftovers()).isEmpty();
        assertThat(blobs.has(Hashing.sha256Hex(chunk))).isFalse();
        assertThat(push(chunk, "big.bin", 0, 100L * CHUNK + 1).statusCode()).isEqualTo(507);
        assertThat(push(chunk, "big.bin", 0, 100L * CHUNK).statusCode()).isEqualTo(204);
    }

    @Test
    void aChunkMustSayItsFilesSizeAndHoldWhatItsPlaceThereHolds() throws Exception {
        byte[] chunk = bytes(CHUNK, 3);
        assertThat(push(chunk, "big.bin", 0, null).body()).contains(ChunkPusher.SIZE_HEADER);
        assertThat(push(chunk, "big.bin", 0, (long) CHUNK).statusCode()).as("a file of one chunk is never pushed").isEqualTo(400);
        assertThat(push(chunk, "big.bin", CHUNK, CHUNK + 10L).statusCode()).as("the tail holds 10 bytes").isEqualTo(400);
        assertThat(push(bytes(10, 4), "big.bin", 0, 3L * CHUNK).statusCode()).as("a chunk inside holds a full chunk").isEqualTo(400);
        assertThat(push(chunk, "big.bin", 0, -5L).statusCode()).isEqualTo(400);
        assertThat(leftovers()).isEmpty();
        assertThat(push(bytes(10, 4), "big.bin", CHUNK, CHUNK + 10L).statusCode()).isEqualTo(204);
    }

    @Test
    void onePeerStagesABoundedNumberOfBytesThenRoomComesBackWhenItsFileCommits() throws Exception {
        long size = 5L * CHUNK;
        for (int i = 0; i < 3; i++) assertThat(push(bytes(CHUNK, 10 + i), "big.bin", (long) i * CHUNK, size).statusCode()).isEqualTo(204);
        HttpResponse<String> r = push(bytes(CHUNK, 13), "big.bin", 3L * CHUNK, size);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(r.body()).contains("one peer may have " + PER_PEER);
        // A chunk kept as a blob (its directory does not exist here) counts too.
        assertThat(push(bytes(CHUNK, 14), "no/such/dir.bin", 0, size).statusCode()).isEqualTo(507);

        staged.take("big.bin"); // committed: its bytes are a file of the folder now
        assertThat(push(bytes(CHUNK, 13), "other.bin", 0, size).statusCode()).isEqualTo(204);
        assertThat(push(bytes(CHUNK, 14), "no/such/dir.bin", 0, size).statusCode()).isEqualTo(204);
        assertThat(staged.stagedBy("127.0.0.1")).isEqualTo(2L * CHUNK);
    }

    @Test
    void aNewSizeForAPathStartsItsStagedFileAgain() throws Exception {
        assertThat(push(bytes(CHUNK, 20), "big.bin", 0, 3L * CHUNK).statusCode()).isEqualTo(204);
        assertThat(push(bytes(CHUNK, 21), "big.bin", CHUNK, 2L * CHUNK).statusCode()).isEqualTo(204);
        StagedFiles.Staged s = staged.take("big.bin");
        assertThat(s.chunkAt(0)).isNull();
        assertThat(s.chunkAt(CHUNK)).isEqualTo(Hashing.sha256Hex(bytes(CHUNK, 21)));
    }

    @Test
    void aPathOrQueryThatIsNotUtf8IsRefused() throws Exception {
        byte[] tail = bytes(10, 30);
        HttpResponse<String> r = push(tail, "caf%FF.bin", CHUNK, CHUNK + 10L);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("UTF-8");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/blobs/" + Hashing.sha256Hex(tail) + "?path=caf%FF.bin&offset=0")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).as(get.body()).isEqualTo(400);
        assertThat(get.body()).contains("UTF-8");
        assertThat(leftovers()).isEmpty();
        assertThat(push(tail, "caf%C3%A9.bin", CHUNK, CHUNK + 10L).statusCode()).isEqualTo(204);
        assertThat(staged.take("caf\u00e9.bin")).isNotNull();
    }
}
