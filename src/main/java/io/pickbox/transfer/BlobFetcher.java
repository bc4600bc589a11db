package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Fetches chunks this node lacks (it joined from a snapshot, or a blob was collected) from
 * peers' chunk ports by hash. Every fetched blob is verified against its hash before use.
 */
public final class BlobFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlobFetcher.class);

    private final BlobStore blobs;
    private final Supplier<List<String>> peerAddresses;
    /** Chunks of one large file are fetched this many at a time, on its threads; callers of {@link #ensure} fetch on theirs. */
    static final int PARALLEL_FETCHES = 4;
    private final PeerHttp http;
    /** Chunks a batch is bringing, for {@link #ensure} to wait on. */
    private final Map<String, CompletableFuture<Void>> inBatches = new ConcurrentHashMap<>();
    /** How long {@link #ensure} waits for a batch bringing its chunk before asking alone. */
    private static final int BATCH_WAIT_SECONDS = 30;

    public BlobFetcher(BlobStore blobs, Supplier<List<String>> peerAddresses, PeerAccess access) {
        this.blobs = blobs;
        this.peerAddresses = peerAddresses;
        this.http = new PeerHttp(access, "pickbox-fetch", PARALLEL_FETCHES, 16);
    }

    /**
     * Starts fetching every chunk of {@code chunks} this node lacks, {@value #PARALLEL_FETCHES} at a
     * time in order, each from the peers in a different order so that they share the serving. The
     * future at position i completes with whether chunk i is present; a writer can use chunk i
     * while later ones are still on their way. {@code at} (when not null) says where each chunk is
     * needed, so that a peer without its blob serves it from that file of its own folder. {@code
     * place} (when not null) is offered every chunk fetched here, by its index in {@code chunks},
     * with its verified bytes (not to be kept), on the fetching thread before its future completes:
     * when it returns true it has put the chunk where it belongs, and no blob is kept of it.
     */
    public List<CompletableFuture<Boolean>> ensureAll(List<String> chunks, List<Placement> at, BiPredicate<Integer, ByteBuffer> place) {
        List<String> peers = peerAddresses.get();
        // A peer without this file's chunks (one that holds a different version) is asked last.
        Map<String, AtomicInteger> misses = new ConcurrentHashMap<>();
        List<CompletableFuture<Boolean>> present = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            String sha = chunks.get(i);
            if (blobs.has(sha)) {
                present.add(CompletableFuture.completedFuture(true));
                continue;
            }
            int index = i;
            Placement where = at == null ? null : at.get(i);
            Predicate<ByteBuffer> then = place == null ? null : bytes -> place.test(index, bytes);
            Supplier<Boolean> fetchIt = () -> {
                List<String> order = new ArrayList<>(peers);
                if (!order.isEmpty()) java.util.Collections.rotate(order, -(index % order.size()));
                order.sort(java.util.Comparator.comparingInt(p -> {
                    AtomicInteger m = misses.get(p);
                    return m == null ? 0 : m.get();
                }));
                return fetch(sha, where, order, then, p -> misses.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet());
            };
            // A single chunk is fetched on the caller's thread: nothing would run alongside it.
            present.add(chunks.size() == 1 ? CompletableFuture.completedFuture(fetchIt.get()) : http.async(fetchIt));
        }
        return present;
    }

    /** Whether the blob is held here. */
    public boolean has(String sha256) {
        return blobs.has(sha256);
    }

    /** Makes sure the blob is present locally; false if no peer could supply it. */
    public boolean ensure(String sha256) {
        if (blobs.has(sha256)) return true;
        CompletableFuture<Void> batch = inBatches.get(sha256);
        if (batch != null) {
            // A batch is bringing it: one request for many files beats one more for this one.
            try {
                batch.get(BATCH_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                // fetched alone below
            }
            if (blobs.has(sha256)) return true;
        }
        return fetch(sha256, null, peerAddresses.get(), null, p -> { });
    }

    /**
     * Fetches small files' chunks in one request (see {@link ChunkBatch}), from the first peer that
     * answers, starting with the one at {@code turn} (so that batches in turn spread over the peers).
     * Each chunk is verified against its hash before it is kept; the chunks kept are made durable
     * together. Returns the bytes of the chunks fetched; a chunk no peer sent is left to
     * {@link #ensure} (which waits for a batch that is bringing its chunk instead of asking again).
     */
    public long fetchBatch(List<ChunkBatch.Wanted> wanted, int turn) {
        Map<String, CompletableFuture<Void>> mine = new java.util.HashMap<>();
        List<ChunkBatch.Wanted> asked = new ArrayList<>(wanted.size());
        for (ChunkBatch.Wanted w : wanted) {
            if (blobs.has(w.sha256()) || mine.containsKey(w.sha256())) continue;
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (inBatches.putIfAbsent(w.sha256(), f) != null) continue;
            mine.put(w.sha256(), f);
            asked.add(w);
        }
        if (asked.isEmpty()) return 0;
        byte[] request = batchRequest(asked);
        List<String> peers = new ArrayList<>(peerAddresses.get());
        if (!peers.isEmpty()) java.util.Collections.rotate(peers, -Math.floorMod(turn, peers.size()));
        long fetched = 0;
        try {
            for (String peer : peers) {
                HttpPost post = new HttpPost(http.batchUri(peer));
                post.setEntity(new ByteArrayEntity(request, ContentType.APPLICATION_OCTET_STREAM));
                try {
                    Long bytes = http.execute(post, response -> {
                        if (response.getCode() != 200) {
                            EntityUtils.consume(response.getEntity());
                            return null;
                        }
                        try (DataInputStream body = new DataInputStream(new BufferedInputStream(response.getEntity().getContent(), 256 * 1024))) {
                            return storeBatch(asked, body);
                        }
                    });
                    if (bytes != null) {
                        fetched = bytes;
                        break;
                    }
                } catch (IOException e) {
                    LOG.debug("Fetching a batch of {} chunks from {} failed: {}", asked.size(), peer, e.toString());
                }
            }
        } finally {
            mine.forEach((sha, f) -> {
                inBatches.remove(sha, f);
                f.complete(null);
            });
        }
        return fetched;
    }

    private static byte[] batchRequest(List<ChunkBatch.Wanted> asked) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(asked.size() * 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            ChunkBatch.writeRequest(asked, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a batch response: every chunk sent that matches its hash is kept; one flush for them all. */
    private long storeBatch(List<ChunkBatch.Wanted> asked, DataInputStream body) throws IOException {
        long stored = 0;
        for (ChunkBatch.Wanted w : asked) {
            byte[] chunk = ChunkBatch.readChunk(body);
            if (chunk == null || blobs.has(w.sha256())) continue;
            if (!Hashing.sha256Hex(chunk).equals(w.sha256())) {
                LOG.debug("A batch sent chunk {} with other bytes; it is fetched alone later", w.sha256());
                continue;
            }
            blobs.putUnsynced(w.sha256(), ByteBuffer.wrap(chunk));
            stored += chunk.length;
        }
        blobs.syncUnsynced();
        return stored;
    }

    private boolean fetch(String sha256, Placement at, List<String> peers, Predicate<ByteBuffer> place, Consumer<String> missedAt) {
        if (blobs.has(sha256)) return true;
        String query = at == null ? "" : "?path=" + at.encodedPath() + "&offset=" + at.offset();
        for (String peer : peers) {
            HttpGet get = new HttpGet(http.blobUri(peer, sha256) + query);
            try {
                boolean stored = http.execute(get, response -> {
                    if (response.getCode() != 200) {
                        EntityUtils.consume(response.getEntity());
                        return false;
                    }
                    try (InputStream body = response.getEntity().getContent()) {
                        blobs.put(sha256, body, Hashing.CHUNK_SIZE, place);
                    }
                    return true;
                });
                if (stored) return true;
                missedAt.accept(peer);
            } catch (IOException e) {
                if (!(e instanceof BlobStore.RejectedBlobException)) missedAt.accept(peer); // unreachable, not just one bad chunk
                LOG.debug("Fetching chunk {} from {} failed: {}", sha256, peer, e.toString());
            }
        }
        return false;
    }

    @Override
    public void close() {
        http.close();
    }
}
