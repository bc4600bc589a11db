package io.pickbox.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.pickbox.store.Keys.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointStreamTest {
    @TempDir
    Path tmp;

    @Test
    void aStreamedCheckpointIsVerifiedAndOpensAsTheStore() throws IOException {
        byte[] stream = streamOfStoreWith(2000);
        List<CheckpointStream.FileInfo> got = CheckpointStream.read(new ByteArrayInputStream(stream), tmp.resolve("got"));
        assertThat(got).isNotEmpty().allMatch(f -> f.sha256().length() == 64);
        try (Store s = Store.openCheckpoint(tmp.resolve("got"), tmp.resolve("installed"), StoreOptions.SMALL)) {
            assertThat(s.get(s.table("files"), of("k1999"))).isEqualTo(of("v1999"));
            assertThat(s.getLong(s.meta(), "applied", 0)).isEqualTo(2000);
        }
    }

    @Test
    void anAlteredByteIsRefusedAndLeavesNothing() throws IOException {
        byte[] stream = streamOfStoreWith(500);
        for (int at : new int[] {stream.length / 2, stream.length - 5}) {
            byte[] bad = stream.clone();
            bad[at] ^= 0x40;
            assertThatThrownBy(() -> CheckpointStream.read(new ByteArrayInputStream(bad), tmp.resolve("got")))
                    .isInstanceOf(IOException.class);
            assertThat(tmp.resolve("got")).doesNotExist();
            assertThat(tmp.resolve("got.receiving")).doesNotExist();
        }
    }

    @Test
    void aTruncatedStreamIsRefused() throws IOException {
        byte[] stream = streamOfStoreWith(500);
        byte[] cut = Arrays.copyOf(stream, stream.length - 1);
        assertThatThrownBy(() -> CheckpointStream.read(new ByteArrayInputStream(cut), tmp.resolve("got")))
                .isInstanceOf(IOException.class);
        assertThat(tmp.resolve("got")).doesNotExist();
    }

    @Test
    void aStreamThatEndsEarlyIsRefusedSayingSo() throws IOException {
        byte[] stream = streamOfStoreWith(10);
        for (int length : new int[] {0, 7, 20}) {
            byte[] cut = Arrays.copyOf(stream, length);
            assertThatThrownBy(() -> CheckpointStream.read(new ByteArrayInputStream(cut), tmp.resolve("got")))
                    .isInstanceOf(EOFException.class).hasMessage("checkpoint stream ends early");
            assertThat(tmp.resolve("got.receiving")).doesNotExist();
        }
    }

    @Test
    void aFileNameThisFileSystemCannotHoldIsRefusedAsAnIOException() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBytes("PBCKPT1");
            out.writeByte(1);
            out.writeUTF("CURR\0ENT");
            out.writeLong(0);
        }
        assertThatThrownBy(() -> CheckpointStream.read(new ByteArrayInputStream(bytes.toByteArray()), tmp.resolve("got")))
                .isExactlyInstanceOf(IOException.class).hasMessageStartingWith("refused checkpoint file name");
        assertThat(tmp.resolve("got")).doesNotExist();
        assertThat(tmp.resolve("got.receiving")).doesNotExist();
    }

    private byte[] streamOfStoreWith(int rows) throws IOException {
        try (Store s = Store.open(tmp.resolve("src"), StoreOptions.SMALL)) {
            Table files = s.table("files");
            for (int i = 0; i < rows; i++) {
                try (Batch b = s.batch()) {
                    b.put(files, of("k" + i), of("v" + i)).putLong(s.meta(), "applied", i + 1).commit();
                }
            }
            s.checkpoint(tmp.resolve("cp-" + rows));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointStream.write(tmp.resolve("cp-" + rows), out);
        return out.toByteArray();
    }
}
