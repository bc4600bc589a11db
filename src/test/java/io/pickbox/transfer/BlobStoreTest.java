package io.pickbox.transfer;

import io.pickbox.folder.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putVerifiesAndStoresUnderTheHash() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] data = bytes("content");
        String sha = Hashing.sha256Hex(data);
        blobs.put(sha, ByteBuffer.wrap(data));
        assertThat(blobs.has(sha)).isTrue();
        assertThat(blobs.read(sha)).isEqualTo(data);
        String other = Hashing.sha256Hex(bytes("other"));
        assertThatThrownBy(() -> blobs.put(other, ByteBuffer.wrap(data))).hasMessageContaining("hash mismatch");
        assertThat(blobs.has(other)).isFalse();
        assertThatThrownBy(() -> blobs.put(other, new ByteArrayInputStream(data), 100)).hasMessageContaining("hash mismatch");
        assertThat(blobs.has(other)).isFalse();
    }

    @Test
    void unsyncedBlobsAreReadableAndSyncedLater() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] data = bytes("small file");
        String sha = Hashing.sha256Hex(data);
        blobs.putUnsynced(sha, ByteBuffer.wrap(data));
        assertThat(blobs.read(sha)).isEqualTo(data);
        blobs.syncUnsynced();
        blobs.syncUnsynced(); // nothing left: a no-op
        assertThat(blobs.read(sha)).isEqualTo(data);
        try (var files = Files.list(blobs.path(sha).getParent())) {
            assertThat(files).as("no temp files left").hasSize(1);
        }
    }

    /** After a crash before the sync, a blob can be torn: replaying its log entry writes it again. */
    @Test
    void aTornUnsyncedBlobIsWrittenAgainWhenItsEntryIsReplayed() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        byte[] data = bytes("small file written twice");
        String sha = Hashing.sha256Hex(data);
        Files.createDirectories(blobs.path(sha).getParent());
        Files.write(blobs.path(sha), new byte[0]);
        blobs.putUnsynced(sha, ByteBuffer.wrap(data));
        assertThat(blobs.read(sha)).isEqualTo(data);
    }

    @Test
    void collectRemovesOnlyUnneededBlobsOlderThanTheCutoff() throws IOException {
        BlobStore blobs = new BlobStore(dir);
        String keep = Hashing.sha256Hex(bytes("keep"));
        String drop = Hashing.sha256Hex(bytes("drop"));
        blobs.put(keep, ByteBuffer.wrap(bytes("keep")));
        blobs.putUnsynced(drop, ByteBuffer.wrap(bytes("drop")));
        assertThat(blobs.collect(keep::equals, java.time.Instant.now().minusSeconds(60))).isZero();
        assertThat(blobs.collect(keep::equals, java.time.Instant.now().plusSeconds(60))).isEqualTo(1);
        assertThat(blobs.has(keep)).isTrue();
        assertThat(blobs.has(drop)).isFalse();
        blobs.syncUnsynced(); // a collected blob is no error
    }
}
