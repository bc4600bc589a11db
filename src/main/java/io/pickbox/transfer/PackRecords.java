package io.pickbox.transfer;

import io.pickbox.folder.Hashing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The records of a blob pack, read from disk and checked one by one.
 *
 * <p>A record is {@code [magic][int length][32-byte sha256][int crc32c of what precedes][bytes]};
 * packs written before the magic hold {@code [int length][32-byte sha256][bytes]}, and both may
 * follow each other in one pack (a pack begun by an earlier version goes on being appended to).
 * The magic cannot start an old record (its first byte would make a length far past a chunk), so
 * each record says which it is. A record is taken only when its header is sound and its bytes match
 * their hash. Past a damaged one, reading resumes at the next offset where a whole record with the
 * magic starts: one bad record costs only itself, never the records after it.
 */
final class PackRecords {

    static final int MAGIC = 0x50424B31; // "PBK1"
    static final int HEADER = 4 + 4 + 32 + 4;
    static final int OLD_HEADER = 4 + 32;
    private static final int WINDOW = 1 << 16;

    /** One whole record: its blob's hash, where its bytes start, how many, and where the record ends. */
    record Found(byte[] sha256, long offset, int length, long end) {}

    interface Visitor {
        void found(Found record) throws IOException;
    }

    /** What a reading found: where the last whole record ends, and how many bytes before it were skipped as damaged. */
    record Summary(long validEnd, long skipped) {}

    private final FileChannel channel;
    private final long size;

    private PackRecords(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
    }

    /** Visits every whole record of {@code pack} from {@code from} on, in order, skipping damaged ones. */
    static Summary read(Path pack, long from, Visitor visitor) throws IOException {
        // a channel of its own: an interrupt closes only this reading
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ)) {
            return new PackRecords(ch).readFrom(from, visitor);
        }
    }

    /** The bytes of a record holding {@code data} under {@code sha256}. */
    static ByteBuffer encode(byte[] sha256, ByteBuffer data) {
        ByteBuffer record = ByteBuffer.allocate(HEADER + data.remaining());
        record.putInt(MAGIC).putInt(data.remaining()).put(sha256);
        record.putInt(headerCrc(record.array(), 0));
        record.put(data.duplicate()).flip();
        return record;
    }

    private Summary readFrom(long from, Visitor visitor) throws IOException {
        long pos = from, validEnd = from, skipped = 0;
        while (pos < size) {
            Found r = recordAt(pos, true);
            if (r == null) {
                long next = nextRecordAfter(pos);
                if (next < 0) break;
                skipped += next - pos;
                pos = next;
                continue;
            }
            visitor.found(r);
            pos = validEnd = r.end();
        }
        return new Summary(validEnd, skipped);
    }

    /** The whole record at {@code pos}, or null; an old-format one only if {@code oldToo}. */
    private Found recordAt(long pos, boolean oldToo) throws IOException {
        ByteBuffer header = read(pos, HEADER);
        if (header == null || header.remaining() < 4) return null;
        if (header.getInt(0) == MAGIC) {
            if (header.remaining() < HEADER) return null;
            if (header.getInt(HEADER - 4) != headerCrc(header.array(), 0)) return null;
            return withBytes(pos, header, 4, HEADER);
        }
        if (!oldToo || header.remaining() < OLD_HEADER) return null;
        return withBytes(pos, header, 0, OLD_HEADER);
    }

    private Found withBytes(long pos, ByteBuffer header, int lengthAt, int headerSize) throws IOException {
        int length = header.getInt(lengthAt);
        if (length < 0 || length > Hashing.CHUNK_SIZE || pos + headerSize + length > size) return null;
        byte[] sha = new byte[32];
        header.get(lengthAt + 4, sha);
        ByteBuffer bytes = read(pos + headerSize, length);
        if (bytes == null || bytes.remaining() < length) return null;
        if (!Hashing.sha256Hex(bytes).equals(Hashing.hex(sha))) return null;
        return new Found(sha, pos + headerSize, length, pos + headerSize + length);
    }

    /** The offset of the next whole record with the magic after {@code pos}, or -1. */
    private long nextRecordAfter(long pos) throws IOException {
        long at = pos + 1;
        while (at + HEADER <= size) {
            ByteBuffer window = read(at, WINDOW);
            if (window == null) return -1;
            int n = window.remaining();
            for (int i = 0; i + 4 <= n; i++) {
                if (window.getInt(i) == MAGIC && recordAt(at + i, false) != null) return at + i;
            }
            // the magic may straddle two windows
            at += Math.max(1, n - 3);
        }
        return -1;
    }

    /** Up to {@code max} bytes at {@code pos}; null past the end (an empty blob's bytes end a pack too). */
    private ByteBuffer read(long pos, int max) throws IOException {
        if (max == 0) return ByteBuffer.allocate(0);
        if (pos >= size) return null;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, size - pos));
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) break;
        }
        return buf.flip();
    }

    private static int headerCrc(byte[] header, int from) {
        CRC32C crc = new CRC32C();
        crc.update(header, from, HEADER - 4);
        return (int) crc.getValue();
    }
}
