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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Both halves of the peer chunk protocol together: the pusher and the fetcher against a node serving PeerChunkRoutes. */
class PeerChunkProtocolTest {

    private static final int CHUNK = Hashing.CHUNK_SIZE;

    @TempDir
    Path folder;
    @TempDir
    Path state;
    @TempDir
    Path otherState;

    private BlobStore blobs;
    private StagedFiles staged;
    private Javalin server;
    private String address;

    @BeforeEach
    void serve() throws Exception {
        blobs = new BlobStore(state.resolve("blobs"));
        staged = new StagedFiles(folder);
        server = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        new PeerChunkRoutes(blobs, new LocalChunks(blobs, new FolderChunks(folder)), staged).register(server);
        server.start("127.0.0.1", 0);
        address = "127.0.0.1:" + server.port();
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

    @Test
    void aPushedChunkIsStoredAndAnotherNodeFetchesIt() throws Exception {
        byte[] chunk = bytes(300_000, 1);
        String sha = Hashing.sha256Hex(chunk);
        try (ChunkPusher pusher = new ChunkPusher(() -> Optional.of(List.of(address)), PeerAccess.plaintext(null))) {
            // Its directory does not exist here yet: it is kept as a blob.
            assertThat(pusher.pushToAll(sha, chunk, new Placement("new/big.bin", CHUNK), CHUNK + chunk.length)
                    .get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(blobs.read(sha)).isEqualTo(chunk);

        try (BlobStore mine = new BlobStore(otherState.resolve("blobs"));
             BlobFetcher fetcher = new BlobFetcher(mine, () -> List.of(address), PeerAccess.plaintext(null))) {
            assertThat(fetcher.ensure(sha)).isTrue();
            assertThat(mine.read(sha)).isEqualTo(chunk);
        }
    }

    @Test
    void aChunkPushedWithItsPlacementIsWrittenIntoTheFileBeingAssembled() throws Exception {
        Files.createDirectories(folder.resolve("d"));
        byte[] chunk = bytes(CHUNK, 2);
        String sha = Hashing.sha256Hex(chunk);
        try (ChunkPusher pusher = new ChunkPusher(() -> Optional.of(List.of(address)), PeerAccess.plaintext(null))) {
            assertThat(pusher.pushToAll(sha, chunk, new Placement("d/big file.bin", CHUNK), 2L * CHUNK).get(10, TimeUnit.SECONDS)).isTrue();
        }
        StagedFiles.Staged file = staged.take("d/big file.bin");
        assertThat(file).isNotNull();
        assertThat(file.chunkAt(CHUNK)).isEqualTo(sha);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(file.file()), CHUNK, 2 * CHUNK)).isEqualTo(chunk);
        assertThat(blobs.has(sha)).isFalse();
    }

    @Test
    void aChunkWithoutABlobIsServedFromWhereItSitsInTheFolder() throws Exception {
        byte[] content = bytes(CHUNK + 500, 3);
        Files.write(folder.resolve("f.bin"), content);
        String last = Hashing.sha256Hex(Arrays.copyOfRange(content, CHUNK, content.length));
        try (BlobStore mine = new BlobStore(otherState.resolve("blobs"));
             BlobFetcher fetcher = new BlobFetcher(mine, () -> List.of(address), PeerAccess.plaintext(null))) {
            assertThat(fetcher.ensure(last)).as("without a placement the peer has nowhere to look").isFalse();
            var present = fetcher.ensureAll(List.of(last), List.of(new Placement("f.bin", CHUNK)), null);
            assertThat(present.get(0).get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(mine.read(last)).isEqualTo(Arrays.copyOfRange(content, CHUNK, content.length));
        }
    }

    @Test
    void badRequestsAreRefusedWithTheApisErrorShape() throws Exception {
        byte[] chunk = bytes(1000, 4);
        String sha = Hashing.sha256Hex(chunk);
        assertThat(call("GET", "/v1/blobs/xyz", null, null))
                .isEqualTo("400 {\"error\":\"bad request\",\"detail\":\"not a sha256 hash\"}");
        assertThat(call("GET", "/v1/blobs/" + sha, null, null))
                .isEqualTo("404 {\"error\":\"not found\",\"detail\":\"no such chunk here\"}");
        assertThat(call("GET", "/v1/blobs/" + sha + "?path=f.bin", null, null))
                .isEqualTo("400 {\"error\":\"bad request\",\"detail\":\"path and offset go together\"}");
        assertThat(call("PUT", "/v1/blobs/" + sha, "application/json", chunk))
                .startsWith("415 {\"error\":\"unsupported media type\"");
        assertThat(call("PUT", "/v1/blobs/" + "1".repeat(64), "application/octet-stream", chunk,
                ChunkPusher.PATH_HEADER, "f.bin", ChunkPusher.OFFSET_HEADER, String.valueOf(CHUNK), ChunkPusher.SIZE_HEADER, String.valueOf(CHUNK + 1000)))
                .startsWith("400 {\"error\":\"bad request\",\"detail\":\"chunk hash mismatch");
        assertThat(call("PUT", "/v1/blobs/" + sha, "application/octet-stream", chunk))
                .startsWith("400 {\"error\":\"bad request\",\"detail\":\"a pushed chunk names the file it is part of");
        assertThat(call("PUT", "/v1/blobs/" + sha, "application/octet-stream", bytes(CHUNK + 1, 5)))
                .startsWith("413 {\"error\":\"payload too large\"");
        assertThat(blobs.has(sha)).isFalse();
    }

    private String call(String method, String path, String type, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        if (type != null) b.header("Content-Type", type);
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
