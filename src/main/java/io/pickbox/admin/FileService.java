package io.pickbox.admin;

import io.pickbox.index.Entry;
import io.pickbox.index.Result;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What the file endpoints read and change: the committed index, this node's bytes, and changes through consensus. */
public interface FileService {

    /** At most {@code limit} committed entries at or under {@code prefix} ("" for all) after the path {@code after} (null: from the first), by path. */
    List<Map.Entry<String, Entry>> page(String prefix, String after, int limit);

    /** At most {@code limit} committed entries directly in directory {@code dir} ("" for the top) after {@code after}, by path. */
    List<Map.Entry<String, Entry>> children(String dir, String after, int limit);

    /** At most {@code limit} committed conflict copies at or under {@code prefix} after {@code after}, by path. */
    List<Map.Entry<String, Entry>> conflicts(String prefix, String after, int limit);

    /** The committed entry at {@code path}, or null. */
    Entry get(String path);

    /** A chunk of {@code committed} this node cannot serve yet, or null when it can serve the whole file. */
    String missingChunk(String path, Entry committed);

    /** The bytes of {@code committed}, read as the stream is. */
    InputStream content(String path, Entry committed);

    /** Proposes the bytes of {@code file} as the new content of {@code path}; completes with apply's decision. */
    CompletableFuture<Result> put(String path, Path file) throws IOException;

    /**
     * Proposes deleting {@code path}; completes with apply's decision.
     *
     * @throws java.nio.file.NoSuchFileException when nothing is committed there
     */
    CompletableFuture<Result> delete(String path) throws IOException;
}
