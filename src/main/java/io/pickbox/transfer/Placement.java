package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a chunk sits: the folder path of a file and the chunk's offset in it. A pushed chunk names
 * where it belongs; a fetched one, where the asking node needs it (and a peer may hold it).
 */
public record Placement(String path, long offset) {
    /** The largest offset accepted: a file of a pebibyte. */
    public static final long MAX_OFFSET = 1L << 50;

    /**
     * @throws io.pickbox.folder.InvalidPathException when the path is not a valid folder path
     * @throws IllegalArgumentException                when the offset is not a chunk boundary within bounds
     */
    public Placement {
        path = PathValidator.normalize(path);
        if (offset < 0 || offset > MAX_OFFSET || offset % Hashing.CHUNK_SIZE != 0) {
            throw new IllegalArgumentException("a chunk offset is a multiple of " + Hashing.CHUNK_SIZE
                    + " between 0 and " + MAX_OFFSET + ", not " + offset);
        }
    }

    /** The path percent-encoded (UTF-8, a space as {@code %20}), as it travels in a query or a header. */
    public String encodedPath() {
        return URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
