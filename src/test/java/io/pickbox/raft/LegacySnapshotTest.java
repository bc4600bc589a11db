package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Index;
import io.pickbox.store.StateRepairs;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LegacySnapshotTest {

    @TempDir
    Path dir;

    @Test
    void aSnapshotCutShortIsMovedAsideSayingSo() throws Exception {
        Path file = dir.resolve("snapshot.3_40");
        Files.write(file, new byte[] {'P', 'B', 'I', '2', 0, 0});
        try (Index index = new Index()) {
            LegacySnapshot.migrate(dir, index);
            assertThat(index.size()).isZero();
        }
        assertThat(file).doesNotExist();
        assertThat(StateRepairs.under(dir).values()).anySatisfy(why -> assertThat(why).contains("ends early"));
    }
}
