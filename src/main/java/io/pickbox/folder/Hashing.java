package io.pickbox.folder;

import io.pickbox.os.FolderDir;
import io.pickbox.os.RegularFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 helpers; all hashes are lowercase hex. */
public final class Hashing {
    /** Chunk size for chunk hashes and transfers: 1 MiB. */
    public static final int CHUNK_SIZE = 1 << 20;
    /** The hash of a whole chunk of zeros: a hole of a sparse file, or a run of zeros in any. */
    public static final String ZERO_CHUNK_SHA256 = "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58";

    private static final HexFormat HEX = HexFormat.of();

    private Hashing() {}

    public static String sha256Hex(byte[] data, int off, int len) {
        MessageDigest md = newSha256();
        md.update(data, off, len);
        return HEX.formatHex(md.digest());
    }

    public static String sha256Hex(byte[] data) {
        return sha256Hex(data, 0, data.length);
    }

    /** Of {@code data}'s remaining bytes, leaving its position where it was. */
    public static String sha256Hex(java.nio.ByteBuffer data) {
        MessageDigest md = newSha256();
        md.update(data.duplicate());
        return HEX.formatHex(md.digest());
    }

    /** Hex of a finished digest, for callers that hash incrementally with {@link #newSha256()}. */
    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE must provide SHA-256", e);
        }
    }

    /**
     * Streams {@code file} once with a single 1 MiB buffer. Symlinks are not followed: hashing
     * whatever a link points to could read outside the synced folder; nor is anything opened but a
     * regular file (see {@link RegularFiles}).
     */
    public static FileDigest digest(Path file) throws IOException {
        try (InputStream in = Channels.newInputStream(RegularFiles.open(file, StandardOpenOption.READ))) {
            return digest(in);
        }
    }

    /**
     * As {@link #digest(Path)}, for {@code name} in a directory of the folder reached without
     * following a symlink (see {@link FolderDir}).
     */
    public static FileDigest digest(FolderDir dir, String name) throws IOException {
        try (InputStream in = Channels.newInputStream(dir.open(name, StandardOpenOption.READ))) {
            return digest(in);
        }
    }

    private static FileDigest digest(InputStream in) throws IOException {
        MessageDigest whole = newSha256();
        MessageDigest chunk = newSha256();
        List<String> chunks = new ArrayList<>();
        byte[] buffer = new byte[CHUNK_SIZE];
        long size = 0;
        int n;
        // readNBytes fills the buffer completely except at EOF, so each round is one chunk.
        while ((n = in.readNBytes(buffer, 0, CHUNK_SIZE)) > 0) {
            whole.update(buffer, 0, n);
            chunk.update(buffer, 0, n);
            chunks.add(HEX.formatHex(chunk.digest()));
            size += n;
        }
        return new FileDigest(size, HEX.formatHex(whole.digest()), chunks);
    }
}
