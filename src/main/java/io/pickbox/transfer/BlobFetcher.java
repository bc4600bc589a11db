package io.pickbox.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fetches chunks this node lacks (it joined from a snapshot, or a blob was collected) from
 * peers' admin ports by hash. Every fetched blob is verified against its hash before use.
 */
public final class BlobFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(BlobFetcher.class);

    private final BlobStore blobs;
    private final Supplier<List<String>> peerAdminAddresses;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    /** Chunks of one large file are fetched this many at a time; threads go away when idle. */
    static final int PARALLEL_FETCHES = 4;
    private final ThreadPoolExecutor pool;

    public BlobFetcher(BlobStore blobs, Supplier<List<String>> peerAdminAddresses, String token) {
        this.blobs = blobs;
        this.peerAdminAddresses = peerAdminAddresses;
        this.token = token;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(PARALLEL_FETCHES, PARALLEL_FETCHES, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pickbox-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts fetching every chunk of {@code chunks} this node lacks, {@value #PARALLEL_FETCHES} at a
     * time in order, each from the peers in a different order so that they share the serving. The
     * future at position i completes with whether chunk i is present; a writer can use chunk i
     * while later ones are still on their way. A single chunk (a small file) is fetched on the
     * caller's thread: nothing would run alongside it.
     */
    public List<CompletableFuture<Boolean>> ensureAll(List<String> chunks) {
        return ensureAll(chunks, null);
    }

    /**
     * As {@link #ensureAll(List)}; {@code onFetched} (when not null) is handed every chunk fetched
     * here, by its index in {@code chunks}, with its verified bytes (not to be kept), on the fetching
     * thread before its future completes: a writer can put it in place without reading it back.
     */
    public List<CompletableFuture<Boolean>> ensureAll(List<String> chunks, BiConsumer<Integer, ByteBuffer> onFetched) {
        if (chunks.size() == 1) return List.of(CompletableFuture.completedFuture(ensure(chunks.get(0))));
        List<String> peers = peerAdminAddresses.get();
        // A peer without this file's chunks (its writer, which keeps the file, not the chunks) is asked last.
        Map<String, AtomicInteger> misses = new ConcurrentHashMap<>();
        List<CompletableFuture<Boolean>> present = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            String sha = chunks.get(i);
            if (blobs.has(sha)) {
                present.add(CompletableFuture.completedFuture(true));
                continue;
            }
            int index = i;
            Consumer<ByteBuffer> then = onFetched == null ? null : bytes -> onFetched.accept(index, bytes);
            present.add(CompletableFuture.supplyAsync(() -> {
                List<String> order = new ArrayList<>(peers);
                if (!order.isEmpty()) java.util.Collections.rotate(order, -(index % order.size()));
                order.sort(java.util.Comparator.comparingInt(p -> {
                    AtomicInteger m = misses.get(p);
                    return m == null ? 0 : m.get();
                }));
                return fetch(sha, order, then, p -> misses.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet());
            }, pool));
        }
        return present;
    }

    /** Makes sure the blob is present locally; false if no peer could supply it. */
    public boolean ensure(String sha256) {
        return blobs.has(sha256) || fetch(sha256, peerAdminAddresses.get(), null, p -> { });
    }

    private boolean fetch(String sha256, List<String> peers, Consumer<ByteBuffer> onFetched, Consumer<String> missedAt) {
        if (blobs.has(sha256)) return true;
        for (String peer : peers) {
            try {
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + peer + "/v1/blobs/" + sha256))
                        .timeout(Duration.ofSeconds(30)).GET();
                if (token != null) req.header("Authorization", "Bearer " + token);
                HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = resp.body()) {
                    if (resp.statusCode() != 200) {
                        missedAt.accept(peer);
                        continue;
                    }
                    blobs.put(sha256, body, 1 << 20, onFetched);
                    return true;
                }
            } catch (IOException e) {
                if (!(e instanceof BlobStore.RejectedBlobException)) missedAt.accept(peer); // unreachable, not just one bad chunk
                LOG.debug("Fetching chunk {} from {} failed: {}", sha256, peer, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
