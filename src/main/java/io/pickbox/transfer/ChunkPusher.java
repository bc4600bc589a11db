package io.pickbox.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Pushes a large file's chunks straight to every peer over their admin ports, so that the bytes
 * never travel through the Raft log (the pattern Apache Ozone uses with Ratis): the file is then
 * committed with a metadata-only PUT. A peer takes a pushed chunk only after checking it against
 * its hash, and writes it into the file it assembles for that path (see {@link StagedFiles}), or
 * else into its blob store. When any member cannot take it, the caller sends the chunk through
 * Raft instead.
 */
public final class ChunkPusher {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkPusher.class);
    /** The folder path a pushed chunk belongs to, URL-encoded (UTF-8); optional, with the offset. */
    public static final String PATH_HEADER = "X-Pickbox-Path";
    /** The offset of a pushed chunk in that file; optional, with the path. */
    public static final String OFFSET_HEADER = "X-Pickbox-Offset";

    /** Never pushes: every chunk goes through Raft (a node without peers, and tests). */
    public static final ChunkPusher NONE = new ChunkPusher(Optional::empty, null);

    private final Supplier<Optional<List<String>>> peers;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    /**
     * @param peers the admin addresses of every other member of the cluster, or empty when one of
     *              them is not known yet (then nothing is pushed)
     */
    public ChunkPusher(Supplier<Optional<List<String>>> peers, String token) {
        this.peers = peers;
        this.token = token;
    }

    /**
     * Pushes {@code data} (which hashes to {@code sha256}) to every peer at once; completes with
     * true when every one of them stored it, false otherwise (never exceptionally).
     */
    public CompletableFuture<Boolean> pushToAll(String sha256, byte[] data) {
        return pushToAll(sha256, data, null);
    }

    /**
     * As {@link #pushToAll(String, byte[])}, telling the peers where the chunk belongs (when not
     * null), so that they assemble the file while its chunks arrive (see {@link StagedFiles}).
     */
    public CompletableFuture<Boolean> pushToAll(String sha256, byte[] data, Placement at) {
        if (!BlobStore.isHash(sha256)) throw new IllegalArgumentException("not a sha256 hash: " + sha256);
        Optional<List<String>> all = peers.get();
        if (all.isEmpty() || all.get().isEmpty()) return CompletableFuture.completedFuture(false);
        List<CompletableFuture<Boolean>> each = all.get().stream().map(peer -> push(peer, sha256, data, at)).toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().allMatch(CompletableFuture::join));
    }

    private CompletableFuture<Boolean> push(String peer, String sha256, byte[] data, Placement at) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + peer + "/v1/blobs/" + sha256))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(new ArrayBody(data), data.length));
        if (at != null) {
            req.header(PATH_HEADER, URLEncoder.encode(at.path(), StandardCharsets.UTF_8));
            req.header(OFFSET_HEADER, Long.toString(at.offset()));
        }
        if (token != null) req.header("Authorization", "Bearer " + token);
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding())
                .handle((resp, e) -> {
                    if (e == null && resp.statusCode() == 204) return true;
                    LOG.debug("Pushing chunk {} to {} failed: {}", sha256, peer, e != null ? e.toString() : "HTTP " + resp.statusCode());
                    return false;
                });
    }

    /**
     * Publishes an array as views of it, without copying: {@code BodyPublishers.ofByteArray} copies
     * every array into new 16 KiB buffers (JFR on a node pushing 500 MB to two peers: 1.1 GB of
     * such copies, and the collector busy with them). The array must not change until the request
     * completes.
     */
    static final class ArrayBody implements Flow.Publisher<ByteBuffer> {
        private static final int PIECE = 64 * 1024;
        private final byte[] data;

        ArrayBody(byte[] data) {
            this.data = data;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private final AtomicLong demand = new AtomicLong();
                /** Requests being served; request() may be called again from onNext, and must not recurse. */
                private final AtomicInteger active = new AtomicInteger();
                private int offset;
                private volatile boolean done;

                @Override
                public void request(long n) {
                    if (done) return;
                    if (n <= 0) {
                        done = true;
                        subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
                        return;
                    }
                    demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                    if (active.getAndIncrement() != 0) return;
                    do {
                        while (!done && offset < data.length && demand.get() > 0) {
                            int length = Math.min(PIECE, data.length - offset);
                            ByteBuffer piece = ByteBuffer.wrap(data, offset, length).slice();
                            offset += length;
                            demand.decrementAndGet();
                            subscriber.onNext(piece);
                        }
                        if (!done && offset >= data.length) {
                            done = true;
                            subscriber.onComplete();
                        }
                    } while (active.decrementAndGet() != 0);
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }
    }
}
