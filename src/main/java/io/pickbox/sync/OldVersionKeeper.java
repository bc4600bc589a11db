package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.Index;
import io.pickbox.os.FolderDir;
import io.pickbox.os.UnsafePathException;
import io.pickbox.sync.LocalTable.Local;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.FolderChunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the bytes of a version the history holds before the folder's copy of it goes. A large
 * file's chunks live in the file itself, not as blobs (see {@link FolderChunks}), so once a
 * committed version is deleted or replaced here, the folder no longer holds them: just before the
 * materializer deletes or replaces a file that is still exactly the version this node last synced,
 * each chunk of that version that the history references, that no current file references (those
 * stay in their files) and that the blob store lacks is copied from the file into the blob store.
 * A small file's one chunk usually came as a blob with its Raft entry and costs nothing here.
 *
 * <p>Best effort: a file changed here since (its stat is not the row's, or a chunk does not hash as
 * it should) is skipped, as the other nodes hold that version; a failure to copy is logged and the
 * deletion goes on, as holding back the folder for the history would be worse.
 */
final class OldVersionKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(OldVersionKeeper.class);
    /** Versions of one path looked through for the one this node synced, when its version number does not find it. */
    private static final int VERSIONS_LOOKED_AT = 16;

    /** What the keeper asks of the committed history. */
    interface History {
        /** Whether versions are kept at all. */
        boolean enabled();

        /**
         * The chunks of the old (no longer current) version of {@code path} this node last synced as
         * {@code version} with content {@code sha256}; null when the history does not hold it.
         */
        List<String> oldChunks(String path, long version, String sha256);

        /** Whether a current entry references {@code chunk}: it then lives in that entry's file. */
        boolean current(String chunk);
    }

    /** The history of {@code index}. */
    static History of(Index index) {
        return new History() {
            @Override
            public boolean enabled() {
                return index.historyStatus().enabled();
            }

            @Override
            public List<String> oldChunks(String path, long version, String sha256) {
                HistoryVersion v = index.version(path, version);
                if (isOld(v, sha256)) return v.entry().chunks();
                // Renames commit moved entries under new versions: the content says which one it is.
                for (HistoryVersion h : index.history(path, VERSIONS_LOOKED_AT)) {
                    if (isOld(h, sha256)) return h.entry().chunks();
                }
                return null;
            }

            @Override
            public boolean current(String chunk) {
                return index.hasChunk(chunk);
            }
        };
    }

    private static boolean isOld(HistoryVersion v, String sha256) {
        return v != null && !v.current() && v.entry().isFile() && sha256.equals(v.entry().sha256());
    }

    private final java.nio.file.Path root;
    private final History history;
    private final BlobStore blobs;

    OldVersionKeeper(java.nio.file.Path root, History history, BlobStore blobs) {
        this.root = root;
        this.history = history;
        this.blobs = blobs;
    }

    /**
     * Before the file at {@code path} is deleted or replaced: copies the chunks of the version
     * {@code row} says this node synced there that only the history references and the blob store
     * lacks, when the file is still that version. Returns the bytes copied.
     */
    long keep(String path, Local row) {
        if (row == null || row.sha256() == null || row.stat() == null || row.stat().kind() != FileStat.Kind.FILE) return 0;
        long size = row.stat().size();
        // The common case, a small file whose blob came with its entry: one look-up, no history read.
        if (size == 0 || (size < Hashing.CHUNK_SIZE && blobs.has(row.sha256()))) return 0;
        if (!history.enabled()) return 0;
        List<String> chunks = history.oldChunks(path, row.version(), row.sha256());
        if (chunks == null) return 0;
        List<Integer> wanted = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < chunks.size(); i++) {
            String c = chunks.get(i);
            if (seen.add(c) && !blobs.has(c) && !history.current(c)) wanted.add(i);
        }
        if (wanted.isEmpty()) return 0;
        try {
            long copied = copy(path, row, chunks, wanted);
            if (copied > 0) LOG.debug("Kept {} bytes of the replaced version of {} for the history", copied, path);
            return copied;
        } catch (NoSuchFileException | NotDirectoryException | UnsafePathException gone) {
            // gone, or behind a symlink: not in the folder as synced; the other nodes hold that version
            return 0;
        } catch (IOException e) {
            LOG.warn("Cannot keep the replaced version of {} for the history ({}); the other nodes hold it", path, e.toString());
            return 0;
        }
    }

    /** Copies the {@code wanted} chunks from the file, while it is the synced version; returns the bytes copied. */
    private long copy(String path, Local row, List<String> chunks, List<Integer> wanted) throws IOException {
        long copied = 0;
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            FileStat disk = FileStat.read(dir, name);
            if (disk == null || !disk.sameAs(row.stat())) return 0;
            try (FileChannel in = dir.open(name, StandardOpenOption.READ)) {
                ByteBuffer buf = blobs.newChunkBuffer();
                for (int i : wanted) {
                    String chunk = chunks.get(i);
                    ByteBuffer bytes = FolderChunks.readVerified(in, (long) i * Hashing.CHUNK_SIZE, chunk, buf);
                    // Changed while read: what is there now is a local edit, and the version is elsewhere.
                    if (bytes == null) return copied;
                    int length = bytes.remaining();
                    blobs.put(chunk, bytes, true);
                    copied += length;
                }
            }
        }
        return copied;
    }
}
