package io.pickbox.transfer;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many bytes may still be written under a directory, a margin kept free: what the node
 * receives (uploads, pushed chunks) is refused up front rather than filling the disk that its
 * folder, index and Raft log live on.
 */
@FunctionalInterface
public interface FreeSpace {

    /** The margin kept free: 256 MiB, or a twentieth of a small file system. */
    static long margin(long totalBytes) {
        return Math.min(256L << 20, totalBytes / 20);
    }

    /** Bytes that may be written under {@code dir} (an existing directory) with the margin kept; negative when even that is gone. */
    long spare(Path dir) throws IOException;

    /** The file system's own figures. */
    FreeSpace OF_FILE_STORE = dir -> {
        FileStore store = Files.getFileStore(dir);
        return store.getUsableSpace() - margin(store.getTotalSpace());
    };
}
