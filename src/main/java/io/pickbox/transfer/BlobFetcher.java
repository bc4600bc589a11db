package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
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

    /** Makes sure the blob is present locally; false if no peer could supply it. */
    public boolean ensure(String sha256) {
        return blobs.has(sha256) || fetch(sha256, null, peerAddresses.get(), null, p -> { });
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
