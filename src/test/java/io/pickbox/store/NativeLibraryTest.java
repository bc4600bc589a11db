package io.pickbox.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** RocksDB's library is copied into a directory of the node's once, not into the temp directory at every start. */
class NativeLibraryTest {

    @TempDir
    Path dir;

    private static byte[] fromJar() throws IOException {
        var name = org.rocksdb.util.Environment.getJniLibraryFileName("rocksdb");
        try (var in = RocksDB.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name + " in the RocksDB jar").isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theLibraryIsPlacedOnceAndLeftAloneAfter() throws IOException {
        Path placed = NativeLibrary.place(dir);
        assertThat(placed).isNotNull().hasParent(dir);
        assertThat(Files.readAllBytes(placed)).isEqualTo(fromJar());

        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(placed, old);
        assertThat(NativeLibrary.place(dir)).isEqualTo(placed);
        assertThat(Files.getLastModifiedTime(placed)).as("not written again").isEqualTo(old);
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(placed);
        }
    }

    @Test
    void aCopyCutShortOrDamagedIsReplaced() throws IOException {
        Path placed = NativeLibrary.place(dir);
        try (RandomAccessFile f = new RandomAccessFile(placed.toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(~f.read());
        }
        assertThat(Files.readAllBytes(NativeLibrary.place(dir))).isEqualTo(fromJar());

        try (RandomAccessFile f = new RandomAccessFile(placed.toFile(), "rw")) {
            f.setLength(f.length() / 3);
        }
        assertThat(Files.readAllBytes(NativeLibrary.place(dir))).isEqualTo(fromJar());
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no partial copies left").containsExactly(placed);
        }
    }
}
