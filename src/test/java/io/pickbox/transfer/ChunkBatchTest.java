package io.pickbox.transfer;

import com.sun.net.httpserver.HttpServer;
import io.pickbox.folder.Hashing;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Small files' chunks many at a time: the request and response format, and fetching a batch from a peer. */
class ChunkBatchTest {

    @TempDir
    Path dir;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private static byte[] request(List<ChunkBatch.Wanted> wanted) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChunkBatch.writeRequest(wanted, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static List<ChunkBatch.Wanted> read(byte[] request) throws IOException {
        return ChunkBatch.readRequest(new DataInputStream(new ByteArrayInputStream(request)));
    }

    private static String hash(int i) {
        return Hashing.sha256Hex(("chunk " + i).getBytes());
    }

    @Property(tries = 50)
    void aRequestReadsBackAsWritten(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) throws IOException {
        Random rnd = new Random(seed);
        List<ChunkBatch.Wanted> wanted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            wanted.add(new ChunkBatch.Wanted(hash(rnd.nextInt()), "d" + rnd.nextInt(10) + "/fïle " + i + ".txt"));
        }
        assertThat(read(request(wanted))).isEqualTo(wanted);
    }

    @Test
    void aRequestOrResponseCutShortSaysItEndsEarly() throws IOException {
        byte[] request = request(List.of(new ChunkBatch.Wanted(hash(1), "a.txt")));
        assertThatThrownBy(() -> read(java.util.Arrays.copyOf(request, 20)))
                .isInstanceOf(java.io.EOFException.class).hasMessage("the batch request ends early");
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ChunkBatch.writeChunk(new byte[10], new DataOutputStream(response));
        byte[] cut = java.util.Arrays.copyOf(response.toByteArray(), 8);
        assertThatThrownBy(() -> ChunkBatch.readChunk(new DataInputStream(new ByteArrayInputStream(cut))))
                .isInstanceOf(java.io.EOFException.class).hasMessage("the batch response ends early");
    }

    @Test
    void malformedRequestsAreRefusedWithTheReason() throws IOException {
        byte[] good = request(List.of(new ChunkBatch.Wanted(hash(1), "a.txt")));
        assertThatThrownBy(() -> read(new byte[] {0, 0, 0, 0})).hasMessageContaining("1 to 4096 chunks");
        assertThatThrownBy(() -> read(new byte[] {0, 0, 0x10, 1})).hasMessageContaining("not 4097");
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> read(trailing)).hasMessageContaining("bytes after the last chunk");
        assertThatThrownBy(() -> read(java.util.Arrays.copyOf(good, good.length - 1))).hasMessageContaining("request ends inside chunk 0");
        // A path that leaves the folder: the same request with "../a.txt" spliced in.
        ByteArrayOutputStream escape = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(escape);
        out.writeInt(1);
        out.write(new byte[32]);
        out.writeShort(8);
        out.write("../a.txt".getBytes());
        assertThatThrownBy(() -> read(escape.toByteArray())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk 0");
        assertThatThrownBy(() -> new ChunkBatch.Wanted("not-a-hash", "a.txt")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChunkLengthOutOfBoundsEndsTheResponse() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(Hashing.CHUNK_SIZE);
        assertThatThrownBy(() -> ChunkBatch.readChunk(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .hasMessageContaining("bad chunk length");
    }

    /** A peer answering batches from {@code blobs}, counting requests; {@code torn} chunks are sent with a flipped byte. */
    private String peer(Map<String, byte[]> blobs, String torn, AtomicInteger requests) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/blobs", ex -> {
            requests.incrementAndGet();
            List<ChunkBatch.Wanted> wanted = ChunkBatch.readRequest(new DataInputStream(ex.getRequestBody()));
            ex.sendResponseHeaders(200, 0);
            DataOutputStream out = new DataOutputStream(ex.getResponseBody());
            for (ChunkBatch.Wanted w : wanted) {
                byte[] b = blobs.get(w.sha256());
                if (b != null && w.sha256().equals(torn)) {
                    b = b.clone();
                    b[0] ^= 1;
                }
                ChunkBatch.writeChunk(b, out);
            }
            out.flush();
            ex.close();
        });
        server.start();
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aBatchBringsEveryChunkItsPeerHoldsInOneRequestAndKeepsOnlyVerifiedOnes() throws Exception {
        Map<String, byte[]> held = new HashMap<>();
        List<ChunkBatch.Wanted> wanted = new ArrayList<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[100 + i];
            rnd.nextBytes(b);
            String sha = Hashing.sha256Hex(b);
            if (i != 7) held.put(sha, b); // the peer lacks one
            wanted.add(new ChunkBatch.Wanted(sha, "d/f" + i));
        }
        String torn = wanted.get(9).sha256();
        AtomicInteger requests = new AtomicInteger();
        String peer = peer(held, torn, requests);
        BlobStore blobs = new BlobStore(dir);
        try (BlobFetcher fetcher = new BlobFetcher(blobs, () -> List.of(peer), PeerAccess.plaintext(null))) {
            long bytes = fetcher.fetchBatch(wanted, 0);

            assertThat(requests).hasValue(1);
            for (int i = 0; i < wanted.size(); i++) {
                String sha = wanted.get(i).sha256();
                assertThat(blobs.has(sha)).as("chunk " + i).isEqualTo(i != 7 && i != 9);
                if (i != 7 && i != 9) assertThat(blobs.read(sha)).isEqualTo(held.get(sha));
            }
            assertThat(bytes).isEqualTo(held.entrySet().stream().filter(e -> !e.getKey().equals(torn))
                    .mapToLong(e -> e.getValue().length).sum());
            // Chunks held already are not asked for again.
            assertThat(fetcher.fetchBatch(wanted.subList(10, 20), 0)).isZero();
            assertThat(requests).hasValue(1);
        }
    }
}
