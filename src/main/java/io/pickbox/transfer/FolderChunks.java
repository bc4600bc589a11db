package io.pickbox.transfer;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Chunks read from the folder's own files where they sit, for a peer that needs them and for
 * assembling another version of a file. A node keeps one copy of a large file, the file itself,
 * not a blob per chunk as well; the bytes read count only when they hash to the chunk asked for,
 * so a file changed or being changed is never served as the version wanted.
 */
public final class FolderChunks {

    private final Path root;
    private final Path realRoot;

    public FolderChunks(Path root) throws IOException {
        this.root = root;
        this.realRoot = root.toRealPath();
    }

    /**
     * The bytes of chunk {@code sha256} read from where {@code at} says, or null when the file there
     * does not hold it (absent, changed, a directory or a link, or reached through a link out of the
     * folder).
     */
    public byte[] read(Placement at, String sha256) throws IOException {
        Path file = PathValidator.resolve(root, at.path());
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !file.toRealPath().startsWith(realRoot)) return null;
            // Sized from the stat: a short last chunk gets an array of its length, not a chunk's.
            long length = Math.min(Hashing.CHUNK_SIZE, a.size() - at.offset());
            if (length <= 0) return null;
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer chunk = readVerified(in, at.offset(), sha256, ByteBuffer.allocate((int) length));
                if (chunk == null) return null;
                return chunk.remaining() == chunk.capacity() ? chunk.array() : Arrays.copyOf(chunk.array(), chunk.remaining());
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            return null; // replaced by a link or a directory meanwhile
        }
    }

    /** True when the folder holds a regular file of {@code size} bytes at {@code path} (whatever its content). */
    public boolean holdsFile(String path, long size) {
        FileStat disk = FileStat.of(root.resolve(path));
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
