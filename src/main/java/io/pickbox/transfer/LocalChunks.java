package io.pickbox.transfer;

import io.pickbox.folder.Hashing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The chunks this node can serve: its blobs, or else chunks read where they sit in its folder's
 * files (a node keeps one copy of a large file, the file itself), each only when it matches its hash.
 */
public final class LocalChunks {

    private final BlobStore blobs;
    private final FolderChunks folder;

    public LocalChunks(BlobStore blobs, FolderChunks folder) {
        this.blobs = blobs;
        this.folder = folder;
    }

    /** Chunk {@code sha256} from its blob, or else from where {@code at} says (when not null); null when neither holds it. */
    public byte[] read(String sha256, Placement at) throws IOException {
        if (blobs.has(sha256)) return blobs.read(sha256);
        return at == null ? null : folder.read(at, sha256);
    }

    /**
     * A chunk of the file at {@code path} that this node can serve neither from its copy of the file
     * (one of {@code size} bytes is there) nor from a blob; null when it can serve all of them.
     */
    public String firstMissing(String path, long size, List<String> chunks) {
        if (folder.holdsFile(path, size)) return null;
        for (String c : chunks) {
            if (!blobs.has(c)) return c;
        }
        return null;
    }

    /**
     * The bytes of the file at {@code path} made of {@code chunks}, each chunk opened when the
     * reader gets to it; a chunk no longer held by then (the copy changed) ends the stream with an
     * {@link UncheckedIOException}.
     */
    public InputStream openFile(String path, List<String> chunks) {
        Iterator<InputStream> parts = IntStream.range(0, chunks.size())
                .mapToObj(i -> open(chunks.get(i), new Placement(path, (long) i * Hashing.CHUNK_SIZE))).iterator();
        return new SequenceInputStream(new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return parts.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return parts.next();
            }
        });
    }

    private InputStream open(String sha256, Placement at) {
        try {
            if (blobs.has(sha256)) return blobs.open(sha256);
            byte[] chunk = folder.read(at, sha256);
            if (chunk == null) throw new IOException("chunk " + sha256 + " at " + at + " is no longer held here");
            return new ByteArrayInputStream(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
