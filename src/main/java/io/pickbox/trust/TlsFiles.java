package io.pickbox.trust;

import io.pickbox.os.Durability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The files of a node's TLS identity in {@code <stateDir>/tls}: {@code ca.pem}, {@code ca.key} (voters only),
 * {@code node.pem} (the node certificate, then the CA certificate) and {@code node.key}, all PEM, keys PKCS#8.
 * <p>
 * Every file is written whole or not at all, readable by its owner only from the moment it exists. The node's key and
 * certificate change together: a renewal interrupted between the two is completed (or dropped) by {@link #recover()},
 * so a node never restarts with a key that does not match its certificate.
 */
public record TlsFiles(Path dir) {

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String NEXT_SUFFIX = ".new";

    public static TlsFiles in(Path stateDir) {
        return new TlsFiles(stateDir.resolve("tls"));
    }

    public Path caCert() {
        return dir.resolve("ca.pem");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path nodeCert() {
        return dir.resolve("node.pem");
    }

    public Path nodeKey() {
        return dir.resolve("node.key");
    }

    /** Whether the node has an identity: node.pem, node.key and ca.pem are all present. */
    public boolean exists() {
        return Files.isRegularFile(nodeCert()) && Files.isRegularFile(nodeKey()) && Files.isRegularFile(caCert());
    }

    /**
     * Writes the node's key and chain, the CA certificate and, when given, the CA key. A null caKeyPemOrNull leaves an
     * existing ca.key alone.
     */
    public void write(PrivateKey nodeKey, List<X509Certificate> nodeChain, X509Certificate caCert, String caKeyPemOrNull)
            throws IOException {
        writeAtomically(caCert(), Pem.certificate(caCert));
        if (caKeyPemOrNull != null) {
            writeAtomically(caKey(), caKeyPemOrNull);
        }
        writeNode(nodeKey, nodeChain);
    }

    /** Replaces the node's key and chain as a pair (a renewal). */
    public void writeNode(PrivateKey nodeKey, List<X509Certificate> nodeChain) throws IOException {
        if (nodeChain.isEmpty()) {
            throw new IllegalArgumentException("a node chain needs at least the node certificate");
        }
        X509.requireKeyMatches(nodeKey, nodeChain.get(0), "node");
        recover();
        // Both halves are complete on disk under their .new names before either replaces the one in use.
        writeAtomically(next(nodeKey()), Pem.privateKey(nodeKey));
        writeAtomically(next(nodeCert()), Pem.certificates(nodeChain));
        recover();
    }

    /**
     * Finishes an interrupted {@link #writeNode}: a complete new pair (node.pem.new written, which happens last) is moved
     * into place, a half-written one is dropped, and stray temporary files are removed.
     */
    public void recover() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(next(nodeCert()))) {
            if (Files.exists(next(nodeKey()))) {
                Files.move(next(nodeKey()), nodeKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(next(nodeCert()), nodeCert(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(next(nodeKey()));
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
        fsyncDirectory(dir);
    }

    /**
     * Writes the text to a temporary file made owner-only at its creation, flushes it to disk, renames it over the target
     * and flushes the directory: readers see the old file or the whole new one, and no one else ever sees either.
     */
    static void writeAtomically(Path target, String text) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        ensureOwnerOnlyDirectory(directory);
        Path temp = directory.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly(directory, OWNER_FILE))) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Durability.current().force(temp);
        Durability.current().rename(temp, target);
        fsyncDirectory(directory);
    }

    private static void ensureOwnerOnlyDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            if (isPosix(directory)) {
                Files.setPosixFilePermissions(directory, OWNER_DIR);
            }
            return;
        }
        Durability.current().createDirectories(directory.getParent());
        try {
            Files.createDirectory(directory, ownerOnly(directory.getParent(), OWNER_DIR));
        } catch (FileAlreadyExistsException e) {
            ensureOwnerOnlyDirectory(directory);
            return;
        }
        // the files written in it survive a power cut only if the directory's own entry does
        fsyncDirectory(directory.getParent());
    }

    private static FileAttribute<?>[] ownerOnly(Path existing, Set<PosixFilePermission> permissions) {
        return isPosix(existing) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try {
            Durability.current().forceDirectory(directory);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename itself is still atomic there.
            if (isPosix(directory)) {
                throw e;
            }
        }
    }

    private static Path next(Path file) {
        return file.resolveSibling(file.getFileName() + NEXT_SUFFIX);
    }
}
