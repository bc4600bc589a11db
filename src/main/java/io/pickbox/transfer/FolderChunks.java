package io.pickbox.transfer;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.os.FolderDir;
import io.pickbox.os.UnsafePathException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Chunks read from the folder's own files where they sit, for a peer that needs them and for
 * assembling another version of a file. A node keeps one copy of a large file, the file itself,
 * not a blob per chunk as well; the bytes read count only when they hash to the chunk asked for,
 * so a file changed or being changed is never served as the version wanted.
 */
public final class FolderChunks {

    private final Path root;

    public FolderChunks(Path root) throws IOException {
        this.root = root;
    }

    /**
     * The bytes of chunk {@code sha256} read from where {@code at} says, or null when the file there
     * does not hold it (absent, changed, a directory or a link, or reached through a link out of the
     * folder).
     */
    public byte[] read(Placement at, String sha256) throws IOException {
        String path = PathValidator.normalize(at.path());
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            FileStat st = FileStat.read(dir, name);
            if (st == null || st.kind() != FileStat.Kind.FILE) return null;
            // Sized from the stat: a short last chunk gets an array of its length, not a chunk's.
            long length = Math.min(Hashing.CHUNK_SIZE, st.size() - at.offset());
            if (length <= 0) return null;
            try (FileChannel in = dir.open(name, StandardOpenOption.READ)) {
                ByteBuffer chunk = readVerified(in, at.offset(), sha256, ByteBuffer.allocate((int) length));
                if (chunk == null) return null;
                return chunk.remaining() == chunk.capacity() ? chunk.array() : Arrays.copyOf(chunk.array(), chunk.remaining());
            }
        } catch (NoSuchFileException | UnsafePathException e) {
            return null;
        } catch (FileSystemException e) {
            return null; // replaced by a link or a directory meanwhile
        }
    }

    /** True when the folder holds a regular file of {@code size} bytes at {@code path} (whatever its content). */
    public boolean holdsFile(String path, long size) {
        FileStat disk = FileStat.of(root, path);
        return disk != null && disk.kind() == FileStat.Kind.FILE && disk.size() == size;
    }

    /**
     * Reads up to a chunk's size from {@code in} at {@code offset} into {@code buf} and returns it
     * flipped when those bytes hash to {@code sha256}; null otherwise (the buffer's content is then
     * undefined). The chunk's length is not needed: only a file's last chunk is shorter, and it ends
     * where the file does.
     */
    public static ByteBuffer readVerified(FileChannel in, long offset, String sha256, ByteBuffer buf) throws IOException {
        buf.clear().limit(Math.min(buf.capacity(), Hashing.CHUNK_SIZE));
        long at = offset;
        while (buf.hasRemaining()) {
            int n = in.read(buf, at);
            if (n < 0) break;
            at += n;
        }
        buf.flip();
        if (!buf.hasRemaining() || !Hashing.sha256Hex(buf).equals(sha256)) return null;
        return buf;
    }
}
