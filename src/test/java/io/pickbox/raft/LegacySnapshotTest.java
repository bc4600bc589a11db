package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pickbox.index.Index;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LegacySnapshotTest {

    @TempDir
    Path dir;

    @Test
    void aSnapshotCutShortIsRefusedSayingSo() throws Exception {
        Files.write(dir.resolve("snapshot.3_40"), new byte[] {'P', 'B', 'I', '2', 0, 0});
        try (Index index = new Index()) {
            assertThatThrownBy(() -> LegacySnapshot.migrate(dir, index)).isInstanceOf(EOFException.class)
                    .hasMessageContaining("snapshot.3_40 ends early");
        }
    }
}
