package io.pickbox.transfer;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serving half of the peer chunk protocol, on the peer port ({@link ChunkPusher} and
 * {@link BlobFetcher} are the asking half): a peer fetches a chunk by its hash, or pushes one of a
 * file it is about to commit. Who may call is {@link PeerServer}'s business; what a
 * request must hold is checked here.
 */
public final class PeerChunkRoutes {

    /** Bytes of a refused request's body read and dropped at most: a chunk and a little more (a chunk one byte too large is still answered). */
    private static final long DISCARD_LIMIT = Hashing.CHUNK_SIZE + 64 * 1024;

    /** Chunks are addressed by their hash under this path. */
    static final String BLOBS = "/v1/blobs/";
    /** Many small files' chunks at once (see {@link ChunkBatch}). */
    static final String BATCH = "/v1/blobs";

    private static final String CLIENT_CERTS = "jakarta.servlet.request.X509Certificate";

    private final BlobStore blobs;
    private final LocalChunks chunks;
    private final StagedFiles staged;

    public PeerChunkRoutes(BlobStore blobs, LocalChunks chunks, StagedFiles staged) {
        this.blobs = blobs;
        this.chunks = chunks;
        this.staged = staged;
    }

    public void register(Javalin app) {
        app.before(PeerChunkRoutes::requireUtf8);
        app.get(BLOBS + "{sha}", this::serve);
        app.put(BLOBS + "{sha}", this::store);
        app.post(BATCH, this::serveBatch);
        app.exception(Refused.class, (e, ctx) -> {
            discardBody(ctx);
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", e.error);
            body.put("detail", e.getMessage());
            ctx.status(e.status).json(body);
        });
    }

    /**
     * A chunk by its hash: from this node's blobs, or else from the folder file the peer names
     * (query parameters {@code path} and {@code offset}, where the peer needs the chunk), read there
     * and served only when it matches the hash.
     */
    private void serve(Context ctx) throws IOException {
        String sha = hash(ctx);
        Placement at = placement(ctx.queryParam("path"), ctx.queryParam("offset"), "path", "offset", false);
        byte[] chunk = chunks.read(sha, at);
        if (chunk == null) throw new Refused(404, "not found", "no such chunk here");
        ctx.contentType("application/octet-stream").result(chunk);
    }

    /**
     * Small files' chunks asked for together (see {@link ChunkBatch}): each from this node's blobs,
     * or else from its copy of the file, only when it matches its hash; streamed as they are read.
     */
    private void serveBatch(Context ctx) throws IOException {
        requireOctetStream(ctx);
        if (ctx.contentLength() > ChunkBatch.MAX_REQUEST_BYTES) {
            throw new Refused(413, "payload too large", "a batch request holds " + ChunkBatch.MAX_CHUNKS + " chunks at most");
        }
        List<ChunkBatch.Wanted> wanted;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(ctx.bodyInputStream()))) {
            wanted = ChunkBatch.readRequest(in);
        } catch (EOFException e) {
            throw new Refused(400, "bad request", "the batch request ends early");
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "bad request", e.getMessage());
        }
        ctx.contentType("application/octet-stream");
        long sent = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ctx.outputStream(), 256 * 1024))) {
            for (ChunkBatch.Wanted w : wanted) {
                byte[] chunk = sent >= ChunkBatch.MAX_RESPONSE_BYTES ? null : chunks.read(w.sha256(), new Placement(w.path(), 0));
                if (chunk != null && sent + chunk.length > ChunkBatch.MAX_RESPONSE_BYTES) chunk = null;
                ChunkBatch.writeChunk(chunk, out);
                if (chunk != null) sent += chunk.length;
            }
        }
    }

    private static void requireOctetStream(Context ctx) {
        if (!"application/octet-stream".equals(ctx.contentType() == null ? null : ctx.contentType().split(";")[0].trim())) {
            throw new Refused(415, "unsupported media type", "chunk bytes must be sent as application/octet-stream");
        }
    }

    /**
     * A chunk pushed ahead of the commit of its file (see {@link ChunkPusher}); 204 once it is
     * written into the file assembled for its placement, or else stored as a blob. The push names
     * the file it is part of (path, offset and the file's size): the chunk must lie within that
     * size, and the file fit on the disk and in the pushing peer's share ({@link StagedFiles}).
     */
    private void store(Context ctx) throws IOException {
        String sha = hash(ctx);
        requireOctetStream(ctx);
        long length = ctx.contentLength();
        if (length > Hashing.CHUNK_SIZE) {
            throw new Refused(413, "payload too large", "a chunk holds " + Hashing.CHUNK_SIZE + " bytes at most");
        }
        if (length < 0) throw new Refused(411, "length required", "a pushed chunk is sent with its Content-Length");
        Placement at = placement(ctx.header(ChunkPusher.PATH_HEADER), ctx.header(ChunkPusher.OFFSET_HEADER),
                ChunkPusher.PATH_HEADER, ChunkPusher.OFFSET_HEADER, true);
        String size = ctx.header(ChunkPusher.SIZE_HEADER);
        if (at == null || size == null) {
            throw new Refused(400, "bad request", "a pushed chunk names the file it is part of: "
                    + ChunkPusher.PATH_HEADER + ", " + ChunkPusher.OFFSET_HEADER + " and " + ChunkPusher.SIZE_HEADER);
        }
        long fileSize = fileSize(size);
        long expected = Math.min(Hashing.CHUNK_SIZE, fileSize - at.offset());
        if (at.offset() >= fileSize || length != expected) {
            throw new Refused(400, "bad request", "a chunk at offset " + at.offset() + " of a file of " + fileSize
                    + " bytes holds " + Math.max(0, expected) + " bytes, not " + length);
        }
        String peer = peerOf(ctx);
        try {
            staged.checkRoom(peer, at, fileSize, (int) length);
        } catch (StagedFiles.NoRoomException e) {
            throw new Refused(507, "insufficient storage", e.getMessage());
        }
        boolean[] placed = {false};
        try (InputStream in = ctx.bodyInputStream()) {
            blobs.put(sha, in, Hashing.CHUNK_SIZE, bytes -> placed[0] = staged.write(at, fileSize, peer, sha, bytes));
        } catch (BlobStore.RejectedBlobException e) {
            if (e.tooLarge()) throw new Refused(413, "payload too large", e.getMessage());
            throw new Refused(400, "bad request", e.getMessage());
        }
        if (!placed[0]) staged.chargeBlob(peer, length);
        ctx.status(204);
    }

    /** Only files larger than a chunk are pushed (smaller ones travel in their Raft entry). */
    private static long fileSize(String header) {
        try {
            long size = Long.parseLong(header);
            if (size > Hashing.CHUNK_SIZE && size <= Placement.MAX_OFFSET) return size;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refused(400, "bad request", ChunkPusher.SIZE_HEADER + " must be a file size between "
                + (Hashing.CHUNK_SIZE + 1) + " and " + Placement.MAX_OFFSET + ": " + header);
    }

    /** Who pushed: the member's certificate subject, or on a plaintext cluster its address. */
    private static String peerOf(Context ctx) {
        Object certs = ctx.req().getAttribute(CLIENT_CERTS);
        if (certs instanceof X509Certificate[] chain && chain.length > 0) return chain[0].getSubjectX500Principal().getName();
        return ctx.req().getRemoteAddr();
    }

    /**
     * Reads what a refused request still sends (a chunk's worth at most), so that the refusal reaches its client: a
     * connection closed with bytes unread is reset, and a client still sending may then never see the response.
     */
    static void discardBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length == 0 || length > DISCARD_LIMIT) return;
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] sink = new byte[64 * 1024];
            for (long left = DISCARD_LIMIT, n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= n;
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the body was read another way: nothing left to protect
        }
    }

    /** Paths travel percent-encoded as UTF-8: bytes that are not would become U+FFFD, another path. */
    private static void requireUtf8(Context ctx) {
        if (!PercentEncoding.isUtf8(ctx.req().getRequestURI()) || !PercentEncoding.isUtf8(ctx.req().getQueryString())) {
            throw new Refused(400, "bad request", "the URL holds percent-encoded bytes that are not UTF-8");
        }
    }

    private static String hash(Context ctx) {
        String sha = ctx.pathParam("sha");
        if (!BlobStore.isHash(sha)) throw new Refused(400, "bad request", "not a sha256 hash");
        return sha;
    }

    /** A placement from its two request values (both or neither), the path URL-encoded when {@code encoded}. */
    private static Placement placement(String path, String offset, String pathName, String offsetName, boolean encoded) {
        if (path == null && offset == null) return null;
        if (path == null || offset == null) throw new Refused(400, "bad request", pathName + " and " + offsetName + " go together");
        try {
            return new Placement(encoded ? PercentEncoding.decode(path) : path, Long.parseLong(offset));
        } catch (InvalidPathException e) {
            throw new Refused(400, "bad request", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "bad request", "bad " + offsetName + " or " + pathName + ": " + e.getMessage());
        }
    }

    /** A request refused, answered as the admin API answers errors: JSON {@code {error, detail}} with a status. */
    private static final class Refused extends RuntimeException {
        final int status;
        final String error;

        Refused(int status, String error, String detail) {
            super(detail);
            this.status = status;
            this.error = error;
        }
    }
}
