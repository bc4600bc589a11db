package io.pickbox.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A checkpoint directory as one byte stream, for a peer to install: each file with its name, size
 * and SHA-256, then a SHA-256 over the whole list. The receiver checks every file and the list
 * before it accepts the copy, and makes it durable; a truncated or altered stream is refused.
 *
 * <p>Format: {@code "PBCKPT1"}, then per file {@code 1, name (UTF), size (long), bytes, sha256 (32 bytes)},
 * then {@code 0}, the file count (int) and the sha256 of the manifest (names, sizes, hashes).
 */
public final class CheckpointStream {
    private static final byte[] MAGIC = {'P', 'B', 'C', 'K', 'P', 'T', '1'};
    private static final int FILE = 1, END = 0;

    /** One file of a checkpoint as the stream describes it. */
    public record FileInfo(String name, long size, String sha256) {}

    private CheckpointStream() {}

    /** Writes the checkpoint in {@code dir} to {@code out} and returns what it sent. */
    public static List<FileInfo> write(Path dir, OutputStream out) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
        data.write(MAGIC);
        MessageDigest manifest = sha256();
        List<FileInfo> sent = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            long size = Files.size(f);
            String name = f.getFileName().toString();
            data.writeByte(FILE);
            data.writeUTF(name);
            data.writeLong(size);
            MessageDigest digest = sha256();
            long left = size;
            try (InputStream in = Files.newInputStream(f)) {
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) throw new IOException("checkpoint file shrank while sent: " + f);
                    digest.update(buf, 0, n);
                    data.write(buf, 0, n);
                    left -= n;
                }
            }
            byte[] hash = digest.digest();
            data.write(hash);
            addToManifest(manifest, name, size, hash);
            sent.add(new FileInfo(name, size, HexFormat.of().formatHex(hash)));
        }
        data.writeByte(END);
        data.writeInt(files.size());
        data.write(manifest.digest());
        data.flush();
        return sent;
    }

    /**
     * Reads a checkpoint from {@code in} into {@code target} (which must not exist), verifying every
     * file and the manifest, fsynced before it returns. Nothing is left at {@code target} if the
     * stream is refused.
     */
    public static List<FileInfo> read(InputStream in, Path target) throws IOException {
        if (Files.exists(target)) throw new IOException("checkpoint target exists: " + target);
        Path tmp = target.toAbsolutePath().resolveSibling(target.getFileName() + ".receiving");
        Durable.deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            List<FileInfo> received;
            try {
                received = receive(new DataInputStream(new BufferedInputStream(in, 1 << 16)), tmp);
            } catch (EOFException e) {
                throw (EOFException) new EOFException("checkpoint stream ends early").initCause(e);
            }
            Durable.syncTree(tmp);
            Durable.move(tmp, target);
            return received;
        } finally {
            Durable.deleteTree(tmp);
        }
    }

    private static List<FileInfo> receive(DataInputStream data, Path dir) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        data.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IOException("not a checkpoint stream");
        MessageDigest manifest = sha256();
        List<FileInfo> received = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        while (true) {
            int marker = data.readByte();
            if (marker == END) break;
            if (marker != FILE) throw new IOException("corrupt checkpoint stream (marker " + marker + ")");
            String name = data.readUTF();
            Path file = fileIn(dir, name);
            long size = data.readLong();
            if (size < 0) throw new IOException("corrupt checkpoint stream (size " + size + ")");
            MessageDigest digest = sha256();
            try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                long left = size;
                while (left > 0) {
                    int n = data.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) throw new IOException("checkpoint stream ended inside " + name);
                    digest.update(buf, 0, n);
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
            byte[] expected = new byte[32];
            data.readFully(expected);
            byte[] actual = digest.digest();
            if (!MessageDigest.isEqual(expected, actual)) throw new IOException("checkpoint file " + name + " fails its checksum");
            addToManifest(manifest, name, size, actual);
            received.add(new FileInfo(name, size, HexFormat.of().formatHex(actual)));
        }
        int count = data.readInt();
        byte[] expected = new byte[32];
        data.readFully(expected);
        if (count != received.size() || !MessageDigest.isEqual(expected, manifest.digest())) {
            throw new IOException("checkpoint manifest fails its checksum");
        }
        return received;
    }

    /** Where a file named by the stream goes: directly in {@code dir}, under a name this file system can hold. */
    private static Path fileIn(Path dir, String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IOException("refused checkpoint file name: " + name);
        }
        try {
            return dir.resolve(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException("refused checkpoint file name: " + e.getMessage());
        }
    }

    private static void addToManifest(MessageDigest manifest, String name, long size, byte[] hash) {
        byte[] n = Keys.of(name);
        manifest.update(Keys.ofLong(n.length));
        manifest.update(n);
        manifest.update(Keys.ofLong(size));
        manifest.update(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
