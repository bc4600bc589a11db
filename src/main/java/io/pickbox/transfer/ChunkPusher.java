package io.pickbox.transfer;

import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Pushes a large file's chunks straight to every peer over their chunk ports, so that the bytes
 * never travel through the Raft log (the pattern Apache Ozone uses with Ratis): the file is then
 * committed with a metadata-only PUT. A peer takes a pushed chunk only after checking it against
 * its hash, and writes it into the file it assembles for that path (see {@link StagedFiles}), or
 * else into its blob store. When any member cannot take it, the caller sends the chunk through
 * Raft instead.
 */
public final class ChunkPusher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkPusher.class);
    /** The folder path a pushed chunk belongs to, URL-encoded (UTF-8); optional, with the offset. */
    public static final String PATH_HEADER = "X-Pickbox-Path";
    /** The offset of a pushed chunk in that file; optional, with the path. */
    public static final String OFFSET_HEADER = "X-Pickbox-Offset";
    /** The size of the file a pushed chunk is part of: the receiver takes chunks within it only, and only files that fit its disk. */
    public static final String SIZE_HEADER = "X-Pickbox-Size";
    /** Requests under way at once at most (a sender keeps 8 chunks in flight, each to every peer). */
    static final int PARALLEL_REQUESTS = 16;

    /** Never pushes: every chunk goes through Raft (a node without peers, and tests). */
    public static final ChunkPusher NONE = new ChunkPusher(Optional::empty, PeerAccess.plaintext(null));

    private final Supplier<Optional<List<String>>> peers;
    private final PeerHttp http;

    /**
     * @param peers the admin addresses of every other member of the cluster, or empty when one of
     *              them is not known yet (then nothing is pushed)
     */
    public ChunkPusher(Supplier<Optional<List<String>>> peers, PeerAccess access) {
        this.peers = peers;
        this.http = new PeerHttp(access, "pickbox-push", PARALLEL_REQUESTS, PARALLEL_REQUESTS);
    }

    /**
     * Pushes {@code data} (which hashes to {@code sha256}) to every peer at once, telling them where
     * the chunk belongs, in a file of {@code fileSize} bytes, so that they assemble the file while
     * its chunks arrive (see {@link StagedFiles}); completes with true when every one of them took
     * it, false otherwise (never exceptionally). Peers take chunks of a known file only: one without
     * a placement is not pushed. The array must not change until the future completes.
     */
    public CompletableFuture<Boolean> pushToAll(String sha256, byte[] data, Placement at, long fileSize) {
        if (!BlobStore.isHash(sha256)) throw new IllegalArgumentException("not a sha256 hash: " + sha256);
        if (at == null) return CompletableFuture.completedFuture(false);
        Optional<List<String>> all = peers.get();
        if (all.isEmpty() || all.get().isEmpty()) return CompletableFuture.completedFuture(false);
        List<CompletableFuture<Boolean>> each = all.get().stream().map(peer -> push(peer, sha256, data, at, fileSize)).toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().allMatch(CompletableFuture::join));
    }

    private CompletableFuture<Boolean> push(String peer, String sha256, byte[] data, Placement at, long fileSize) {
        return http.async(() -> {
            HttpPut put = new HttpPut(http.blobUri(peer, sha256));
            put.setEntity(new ByteArrayEntity(data, ContentType.APPLICATION_OCTET_STREAM));
            put.setHeader(PATH_HEADER, at.encodedPath());
            put.setHeader(OFFSET_HEADER, Long.toString(at.offset()));
            put.setHeader(SIZE_HEADER, Long.toString(fileSize));
            try {
                int status = http.execute(put, response -> {
                    EntityUtils.consume(response.getEntity());
                    return response.getCode();
                });
                if (status == 204) return true;
                LOG.debug("Pushing chunk {} to {} failed: HTTP {}", sha256, peer, status);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Pushing chunk {} to {} failed: {}", sha256, peer, e.toString());
            }
            return false;
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
