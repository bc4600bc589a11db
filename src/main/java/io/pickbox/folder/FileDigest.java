package io.pickbox.folder;

import java.util.List;

/**
 * Content identity of a file: the whole-file SHA-256 and the SHA-256 of each consecutive
 * {@link Hashing#CHUNK_SIZE} chunk (the last one may be shorter), all lowercase hex. Chunk hashes
 * let transfers verify and resume piecewise. An empty file has no chunks.
 */
public record FileDigest(long size, String sha256, List<String> chunkSha256s) {
    public FileDigest {
        chunkSha256s = List.copyOf(chunkSha256s);
    }
}
