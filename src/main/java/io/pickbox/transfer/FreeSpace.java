package io.pickbox.transfer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How many bytes may still be written under a directory, a margin kept free: what the node
 * receives (uploads, pushed chunks) is refused up front rather than filling the disk that its
 * folder, index and Raft log live on.
 */
@FunctionalInterface
public interface FreeSpace {

    /** Least and most kept free, whatever the file system's size. */
    long MIN_MARGIN = 1L << 20, MAX_MARGIN = 256L << 20;

    /**
     * The bytes kept free on a file system of {@code totalBytes} (unknown: 0 or less): 2 % of it,
     * 1 MiB to 256 MiB, for the node's own state (Raft log, blobs, store), which lives in the folder
     * by default. One rule for what the node receives and what it writes into the folder.
     */
    static long margin(long totalBytes) {
        if (totalBytes <= 0) return MIN_MARGIN;
        return Math.max(MIN_MARGIN, Math.min(totalBytes / 50, MAX_MARGIN));
    }

    /** A size as people read it: 512 bytes, 1.5 MB, 60.0 MB. */
    static String bytes(long n) {
        if (n < 1000) return n + " bytes";
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Bytes that may be written under {@code dir} (an existing directory) with the margin kept; negative when even that is gone. */
    long spare(Path dir) throws IOException;

    /**
     * The file system's own figures: one statvfs each, no mount-table lookup (a
     * {@code FileStore} reads the whole mount table), since pushed chunks ask for every chunk.
     */
    FreeSpace OF_FILE_STORE = dir -> {
        java.io.File f = dir.toFile();
        long total = f.getTotalSpace();
        if (total <= 0) throw new IOException("cannot read the free space of " + dir);
        return f.getUsableSpace() - margin(total);
    };
}
