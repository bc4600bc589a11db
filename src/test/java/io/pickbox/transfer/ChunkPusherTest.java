package io.pickbox.transfer;

import com.sun.net.httpserver.HttpServer;
import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Pushing chunks to peers' blob endpoints (real HTTP servers on loopback). */
class ChunkPusherTest {

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** A peer that stores what is PUT to it (204), or refuses everything (507) when {@code full}. */
    private String peer(Map<String, byte[]> stored, Map<String, String> headers, boolean full) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/blobs/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            headers.put("method", ex.getRequestMethod());
            headers.put("type", String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")));
            headers.put("auth", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            headers.put("path", String.valueOf(ex.getRequestHeaders().getFirst(ChunkPusher.PATH_HEADER)));
            headers.put("offset", String.valueOf(ex.getRequestHeaders().getFirst(ChunkPusher.OFFSET_HEADER)));
            headers.put("size", String.valueOf(ex.getRequestHeaders().getFirst(ChunkPusher.SIZE_HEADER)));
            if (full) {
                ex.sendResponseHeaders(507, -1);
            } else {
                stored.put(ex.getRequestURI().getPath().substring("/v1/blobs/".length()), body);
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        server.start();
        servers.add(server);
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Where the 1000-byte chunks of the tests below go: the tail of a file. */
    private static final Placement AT = new Placement("f.bin", Hashing.CHUNK_SIZE);
    private static final long AT_FILE_SIZE = Hashing.CHUNK_SIZE + 1000;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aChunkEveryPeerStoredIsReportedAsPushed() throws Exception {
        Map<String, byte[]> atA = new ConcurrentHashMap<>(), atB = new ConcurrentHashMap<>();
        Map<String, String> seenByA = new ConcurrentHashMap<>();
        String a = peer(atA, seenByA, false);
        String b = peer(atB, new ConcurrentHashMap<>(), false);
        byte[] chunk = bytes(300_000, 1);
        String sha = Hashing.sha256Hex(chunk);

        ChunkPusher pusher = new ChunkPusher(() -> Optional.of(List.of(a, b)), PeerAccess.plaintext("s3cret"));
        assertThat(pusher.pushToAll(sha, chunk, new Placement("big.bin", Hashing.CHUNK_SIZE), Hashing.CHUNK_SIZE + 300_000)
                .get(10, TimeUnit.SECONDS)).isTrue();

        assertThat(atA).containsOnlyKeys(sha);
        assertThat(atA.get(sha)).isEqualTo(chunk);
        assertThat(atB.get(sha)).isEqualTo(chunk);
        assertThat(seenByA).containsEntry("method", "PUT").containsEntry("type", "application/octet-stream")
                .containsEntry("auth", "Bearer s3cret").containsEntry("path", "big.bin")
                .containsEntry("offset", Long.toString(Hashing.CHUNK_SIZE)).containsEntry("size", Long.toString(Hashing.CHUNK_SIZE + 300_000));
    }

    /** Peers take chunks of a file being proposed only: one that names no file is not sent at all. */
    @Test
    void aChunkWithoutAPlacementIsNotPushed() throws Exception {
        Map<String, byte[]> atA = new ConcurrentHashMap<>();
        String a = peer(atA, new ConcurrentHashMap<>(), false);
        byte[] chunk = bytes(1000, 4);
        ChunkPusher pusher = new ChunkPusher(() -> Optional.of(List.of(a)), PeerAccess.plaintext(null));
        assertThat(pusher.pushToAll(Hashing.sha256Hex(chunk), chunk, null, 0).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(atA).isEmpty();
    }

    @Test
    void aChunkTellsThePeersWhereItBelongsWhenTheCallerSays() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        String a = peer(new ConcurrentHashMap<>(), seen, false);
        byte[] chunk = bytes(5000, 3);

        ChunkPusher pusher = new ChunkPusher(() -> Optional.of(List.of(a)), PeerAccess.plaintext(null));
        Placement at = new Placement("dir with space/caf\u00e9 100%.bin", 3L * Hashing.CHUNK_SIZE);
        assertThat(pusher.pushToAll(Hashing.sha256Hex(chunk), chunk, at, 3L * Hashing.CHUNK_SIZE + 5000).get(10, TimeUnit.SECONDS)).isTrue();

        assertThat(java.net.URLDecoder.decode(seen.get("path"), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(at.path());
        assertThat(seen.get("path")).matches("[\\x21-\\x7e]+");
        assertThat(seen).containsEntry("offset", Long.toString(3L * Hashing.CHUNK_SIZE))
                .containsEntry("size", Long.toString(3L * Hashing.CHUNK_SIZE + 5000));
    }

    @Test
    void aPeerThatRefusesOrIsDownMakesThePushFail() throws Exception {
        byte[] chunk = bytes(1000, 2);
        String sha = Hashing.sha256Hex(chunk);
        String ok = peer(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), false);
        String full = peer(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), true);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String down = "127.0.0.1:" + closedPort;

        assertThat(new ChunkPusher(() -> Optional.of(List.of(ok, full)), PeerAccess.plaintext(null)).pushToAll(sha, chunk, AT, AT_FILE_SIZE).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(new ChunkPusher(() -> Optional.of(List.of(down, ok)), PeerAccess.plaintext(null)).pushToAll(sha, chunk, AT, AT_FILE_SIZE).get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void withoutEveryMembersAddressOrWithoutPeersNothingCountsAsPushed() throws Exception {
        byte[] chunk = bytes(1000, 3);
        String sha = Hashing.sha256Hex(chunk);

        assertThat(new ChunkPusher(Optional::empty, io.pickbox.transfer.PeerAccess.plaintext(null)).pushToAll(sha, chunk, AT, AT_FILE_SIZE).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(new ChunkPusher(() -> Optional.of(List.of()), PeerAccess.plaintext(null)).pushToAll(sha, chunk, AT, AT_FILE_SIZE).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(ChunkPusher.NONE.pushToAll(sha, chunk, AT, AT_FILE_SIZE).get(10, TimeUnit.SECONDS)).isFalse();
    }
}
