package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Many small files' chunks asked for in one request and sent back in one streamed response, for a
 * node catching up with a folder of many small files: a request per file cost a round trip each.
 *
 * <p>Request: the number of chunks, then for each its SHA-256 (32 bytes) and the path of the small
 * file it is the content of (the file the serving node may hold it in), as UTF-8 with a 2-byte
 * length. Response, for each chunk in the order asked: its length and its bytes, or {@link #ABSENT}
 * when the serving node holds no verified copy (or the response is full).
 */
public final class ChunkBatch {

    /** Chunks asked for in one request at most. */
    public static final int MAX_CHUNKS = 4096;
    /** Chunk bytes answered in one response at most; the rest are answered {@link #ABSENT}. */
    public static final int MAX_RESPONSE_BYTES = 32 << 20;
    /** The largest request: every chunk with a path of the longest kind (reading one stops there by itself). */
    static final long MAX_REQUEST_BYTES = 4 + (long) MAX_CHUNKS * (32 + 2 + PathValidator.MAX_PATH_BYTES);
    static final int ABSENT = -1;

    private static final HexFormat HEX = HexFormat.of();

    /** A small file's one chunk, wanted for the file at {@code path}. */
    public record Wanted(String sha256, String path) {
        public Wanted {
            if (sha256 == null || !BlobStore.isHash(sha256)) throw new IllegalArgumentException("not a sha256 hash: " + sha256);
            path = PathValidator.normalize(path);
        }
    }

    private ChunkBatch() {
    }

    static void writeRequest(List<Wanted> wanted, DataOutputStream out) throws IOException {
        if (wanted.isEmpty() || wanted.size() > MAX_CHUNKS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_CHUNKS + " chunks, not " + wanted.size());
        }
        out.writeInt(wanted.size());
        for (Wanted w : wanted) {
            out.write(HEX.parseHex(w.sha256()));
            byte[] path = w.path().getBytes(StandardCharsets.UTF_8);
            out.writeShort(path.length);
            out.write(path);
        }
    }

    /**
     * The chunks a request asks for.
     *
     * @throws IllegalArgumentException when the request is malformed: a count out of bounds, a path
     *                                  that is not a valid folder path, or bytes after the last chunk
     * @throws EOFException             when it ends before its last chunk
     */
    static List<Wanted> readRequest(DataInputStream in) throws IOException {
        try {
            return request(in);
        } catch (EOFException e) {
            throw endsEarly("batch request", e);
        }
    }

    private static List<Wanted> request(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > MAX_CHUNKS) throw new IllegalArgumentException("a batch holds 1 to " + MAX_CHUNKS + " chunks, not " + n);
        List<Wanted> wanted = new ArrayList<>(n);
        byte[] sha = new byte[32];
        for (int i = 0; i < n; i++) {
            in.readFully(sha);
            int length = in.readUnsignedShort();
            if (length == 0 || length > PathValidator.MAX_PATH_BYTES) throw new IllegalArgumentException("bad path length " + length);
            byte[] path = in.readNBytes(length);
            if (path.length != length) throw new IllegalArgumentException("request ends inside chunk " + i);
            try {
                wanted.add(new Wanted(HEX.formatHex(sha), new String(path, StandardCharsets.UTF_8)));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("chunk " + i + ": " + e.getMessage());
            }
        }
        if (in.read() != -1) throw new IllegalArgumentException("bytes after the last chunk");
        return wanted;
    }

    /** One chunk of a response: its bytes, or null for {@link #ABSENT}. */
    static void writeChunk(byte[] bytesOrNull, DataOutputStream out) throws IOException {
        if (bytesOrNull == null) {
            out.writeInt(ABSENT);
            return;
        }
        out.writeInt(bytesOrNull.length);
        out.write(bytesOrNull);
    }

    /** The next chunk of a response: its bytes, or null when absent. */
    static byte[] readChunk(DataInputStream in) throws IOException {
        try {
            int length = in.readInt();
            if (length == ABSENT) return null;
            if (length < 0 || length >= Hashing.CHUNK_SIZE) throw new IOException("bad chunk length in a batch: " + length);
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            return bytes;
        } catch (EOFException e) {
            throw endsEarly("batch response", e);
        }
    }

    private static EOFException endsEarly(String what, EOFException cause) {
        return (EOFException) new EOFException("the " + what + " ends early").initCause(cause);
    }
}
