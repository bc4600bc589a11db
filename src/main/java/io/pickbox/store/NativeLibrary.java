package io.pickbox.store;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32;

/**
 * RocksDB's native library, loaded from a copy kept in a directory of the node's own. Left to
 * itself, RocksDB copies its 15 MB library out of the jar into the temp directory at every start
 * and deletes the copy only when the JVM exits normally: every node killed or crashed left one
 * behind (gigabytes of them on a machine whose nodes a supervisor restarts), and in a cold JVM the
 * copying took longer than loading the library. Here the copy is made once, and checked against
 * the jar's own size and CRC at each start: a copy from another version, cut short or damaged is
 * replaced.
 */
public final class NativeLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);

    private NativeLibrary() {
    }

    /**
     * Loads the library from {@code dir}, placing it there first if needed; where that fails (a
     * directory that cannot hold it, a file system that cannot map code from it), RocksDB loads it
     * its own way.
     */
    public static synchronized void loadFrom(Path dir) {
        try {
            if (place(dir) != null) {
                RocksDB.loadLibrary(List.of(dir.toAbsolutePath().toString()));
                return;
            }
        } catch (IOException | UnsatisfiedLinkError e) {
            LOG.warn("Cannot load RocksDB's library from {} ({}); loading it from the temp directory", dir, e.toString());
        }
        RocksDB.loadLibrary();
    }

    /**
     * Makes sure {@code dir} holds the library the RocksDB jar carries, under the name RocksDB loads
     * it by from a directory; null when no jar carries one for this platform.
     */
    static Path place(Path dir) throws IOException {
        URL resource = RocksDB.class.getClassLoader().getResource(Environment.getJniLibraryFileName("rocksdb"));
        long[] expected = resource == null ? null : sizeAndCrc(resource);
        if (expected == null) return null;
        Path target = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        if (Files.isRegularFile(target) && Files.size(target) == expected[0] && crc(target) == expected[1]) return target;
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
        try {
            try (InputStream in = resource.openStream()) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        LOG.debug("Placed RocksDB's library in {}", target);
        return target;
    }

    /** The size and CRC-32 the jar records for {@code resource}; null when it is not in a jar. */
    private static long[] sizeAndCrc(URL resource) throws IOException {
        URLConnection c = resource.openConnection();
        if (!(c instanceof JarURLConnection jar)) return null;
        c.setUseCaches(false);
        var entry = jar.getJarEntry();
        jar.getJarFile().close();
        return entry == null || entry.getSize() < 0 || entry.getCrc() < 0 ? null : new long[] {entry.getSize(), entry.getCrc()};
    }

    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) crc.update(buffer, 0, n);
        }
        return crc.getValue();
    }
}
