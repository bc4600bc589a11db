package io.pickbox.transfer;

import com.sun.net.httpserver.HttpServer;
import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetching chunks from peers' blob endpoints (real HTTP servers on loopback). */
class BlobFetcherTest {

    @TempDir
    Path dir;
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** A peer serving {@code blobs} by hash, counting requests; {@code corrupt} blobs are served with a flipped byte. */
    private String peer(Map<String, byte[]> blobs, Map<String, byte[]> corrupt, AtomicInteger requests) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/blobs/", ex -> {
            requests.incrementAndGet();
            String sha = ex.getRequestURI().getPath().substring("/v1/blobs/".length());
            byte[] body = blobs.get(sha);
            if (corrupt.containsKey(sha)) {
                body = corrupt.get(sha).clone();
                body[0] ^= 1;
            }
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        servers.add(server);
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code count} random chunks of {@code size}, {@code size + 1}, ... bytes, by hash into {@code into}; their hashes in order. */
    private static List<String> randomChunks(int count, int size, long seed, Map<String, byte[]> into) {
        Random rnd = new Random(seed);
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[size + i];
            rnd.nextBytes(b);
            into.put(Hashing.sha256Hex(b), b);
            hashes.add(Hashing.sha256Hex(b));
        }
        return hashes;
    }

    @Test
    void fetchesEveryMissingChunkFromThePeersSharingTheLoad() throws Exception {
        Map<String, byte[]> all = new HashMap<>();
        List<String> chunks = randomChunks(24, 1000, 7, all);
        AtomicInteger toA = new AtomicInteger(), toB = new AtomicInteger();
        String a = peer(all, Map.of(), toA);
        // Peer b serves one chunk torn: it must be refused and fetched from a instead.
        String torn = chunks.get(5);
        String b = peer(all, Map.of(torn, all.get(torn)), toB);

        BlobStore blobs = new BlobStore(dir);
        blobs.put(chunks.get(0), java.nio.ByteBuffer.wrap(all.get(chunks.get(0)))); // already held: not fetched
        BlobFetcher fetcher = new BlobFetcher(blobs, () -> List.of(a, b), PeerAccess.plaintext(null));

        List<CompletableFuture<Boolean>> present = fetcher.ensureAll(chunks, null, null);
        assertThat(present).hasSize(chunks.size());
        for (CompletableFuture<Boolean> f : present) assertThat(f.join()).isTrue();
        for (String sha : chunks) assertThat(blobs.read(sha)).isEqualTo(all.get(sha));
        assertThat(toA.get() + toB.get()).as("one request per missing chunk, plus the retry of the torn one").isBetween(23, 24);
        assertThat(toA.get()).as("requests to a").isGreaterThan(5);
        assertThat(toB.get()).as("requests to b").isGreaterThan(5);
    }

    @Test
    void eachFetchedChunkIsHandedOverOnceWithItsIndexAndVerifiedBytesAndKeptAsABlobOnlyWhenNotPlaced() throws Exception {
        Map<String, byte[]> all = new HashMap<>();
        List<String> chunks = randomChunks(10, 3000, 8, all);
        String torn = chunks.get(3);
        String a = peer(all, Map.of(torn, all.get(torn)), new AtomicInteger()); // a serves one torn
        String b = peer(all, Map.of(), new AtomicInteger());
        BlobStore blobs = new BlobStore(dir);
        blobs.put(chunks.get(7), java.nio.ByteBuffer.wrap(all.get(chunks.get(7))));
        BlobFetcher fetcher = new BlobFetcher(blobs, () -> List.of(a, b), PeerAccess.plaintext(null));

        Map<Integer, List<byte[]>> handed = new ConcurrentHashMap<>();
        List<CompletableFuture<Boolean>> present = fetcher.ensureAll(chunks, null, (i, bytes) -> {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            handed.computeIfAbsent(i, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(copy);
            return i % 2 == 0; // the odd ones could not be placed
        });
        for (CompletableFuture<Boolean> f : present) assertThat(f.join()).isTrue();

        assertThat(handed.keySet()).as("every chunk but the one held already").hasSize(9).doesNotContain(7);
        handed.forEach((i, copies) -> {
            assertThat(copies).as("chunk " + i).hasSize(1);
            assertThat(copies.get(0)).as("chunk " + i).isEqualTo(all.get(chunks.get(i)));
            assertThat(blobs.has(chunks.get(i))).as("chunk " + i + " kept as a blob").isEqualTo(i % 2 == 1);
        });
    }

    @Test
    void aChunkIsAskedForWithWhereItIsNeededSoThatAPeerCanReadItFromThatFile() throws Exception {
        byte[] data = new byte[5000];
        new Random(3).nextBytes(data);
        String sha = Hashing.sha256Hex(data);
        List<String> queries = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/blobs/", ex -> {
            queries.add(ex.getRequestURI().getQuery()); // decoded
            ex.sendResponseHeaders(200, data.length);
            ex.getResponseBody().write(data);
            ex.close();
        });
        server.start();
        servers.add(server);
        BlobFetcher fetcher = new BlobFetcher(new BlobStore(dir), () -> List.of("127.0.0.1:" + server.getAddress().getPort()), PeerAccess.plaintext(null));

        Placement at = new Placement("dir with space/caf\u00e9+1 100%.bin", 3L * Hashing.CHUNK_SIZE);
        assertThat(fetcher.ensureAll(List.of(sha), List.of(at), (i, bytes) -> true).get(0).join()).isTrue();
        assertThat(queries).containsExactly("path=dir with space/caf\u00e9+1 100%.bin&offset=" + 3L * Hashing.CHUNK_SIZE);
    }

    @Test
    void aPeerWithoutTheChunksIsAskedLastOnceItMissed() throws Exception {
        Map<String, byte[]> all = new HashMap<>();
        List<String> chunks = randomChunks(60, 2000, 9, all);
        AtomicInteger toEmpty = new AtomicInteger(), toA = new AtomicInteger(), toB = new AtomicInteger();
        // The writer of a large file keeps the file, not its chunks: it answers 404 for every one.
        String empty = peer(Map.of(), Map.of(), toEmpty);
        String a = peer(all, Map.of(), toA);
        String b = peer(all, Map.of(), toB);
        BlobStore blobs = new BlobStore(dir);
        BlobFetcher fetcher = new BlobFetcher(blobs, () -> List.of(empty, a, b), PeerAccess.plaintext(null));

        for (CompletableFuture<Boolean> f : fetcher.ensureAll(chunks, null, null)) assertThat(f.join()).isTrue();
        assertThat(toA.get() + toB.get()).isEqualTo(chunks.size());
        // In turn it would be asked first for a third of them (20); once it missed it goes last.
        assertThat(toEmpty.get()).as("requests to the peer without chunks").isLessThanOrEqualTo(BlobFetcher.PARALLEL_FETCHES + 1);
    }

    @Test
    void aChunkNoPeerHoldsIsReportedAbsent() throws Exception {
        byte[] known = "known chunk".getBytes();
        String knownSha = Hashing.sha256Hex(known);
        String unknownSha = Hashing.sha256Hex("nobody has this".getBytes());
        Map<String, byte[]> served = new ConcurrentHashMap<>(Map.of(knownSha, known));
        String a = peer(served, Map.of(), new AtomicInteger());
        BlobStore blobs = new BlobStore(dir);
        BlobFetcher fetcher = new BlobFetcher(blobs, () -> List.of(a), PeerAccess.plaintext(null));

        List<CompletableFuture<Boolean>> present = fetcher.ensureAll(List.of(knownSha, unknownSha), null, null);
        assertThat(present.get(0).join()).isTrue();
        assertThat(present.get(1).join()).isFalse();
        assertThat(blobs.has(unknownSha)).isFalse();
        assertThat(fetcher.ensure(unknownSha)).isFalse();
    }
}
