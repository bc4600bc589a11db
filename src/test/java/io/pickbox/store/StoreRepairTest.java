package io.pickbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A store whose files are damaged is moved aside and replaced by an empty one, not left to stop the node for good. */
class StoreRepairTest {

    @TempDir
    Path dir;

    private Path filled() {
        Path store = dir.resolve("store");
        try (Store s = Store.open(store, StoreOptions.SMALL); Batch b = s.batch()) {
            b.put(s.table("t"), Keys.of("k"), Keys.of("v")).commit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }

    private Path manifest(Path store) throws IOException {
        try (Stream<Path> s = Files.list(store)) {
            return s.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
        }
    }

    private void assertRepaired(Path store) throws IOException {
        try (Store s = Store.openRepairing(store, StoreOptions.SMALL)) {
            assertThat(s.get(s.table("t"), Keys.of("k"))).as("an empty store in its place").isNull();
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("store.corrupt-"));
        }
        assertThat(StateRepairs.under(dir)).hasEntrySatisfying("store", what -> assertThat(what).contains("moved aside"));
    }

    @Test
    void aDamagedManifestIsMovedAside() throws IOException {
        Path store = filled();
        Path manifest = manifest(store);
        byte[] bytes = Files.readAllBytes(manifest);
        for (int i = 0; i < bytes.length; i += 7) bytes[i] ^= 0x55;
        Files.write(manifest, bytes);
        assertThatThrownBy(() -> Store.open(store, StoreOptions.SMALL).close()).isInstanceOf(IOException.class);
        assertRepaired(store);
    }

    @Test
    void aMissingManifestIsMovedAside() throws IOException {
        Path store = filled();
        Files.delete(manifest(store));
        assertRepaired(store);
    }

    @Test
    void aStoreInUseIsNotTakenForADamagedOne() throws IOException {
        Path store = filled();
        try (Store inUse = Store.open(store, StoreOptions.SMALL)) {
            assertThatThrownBy(() -> Store.openRepairing(store, StoreOptions.SMALL)).isInstanceOf(IOException.class);
            assertThat(inUse.get(inUse.table("t"), Keys.of("k"))).isNotNull();
        }
        assertThat(StateRepairs.under(dir)).isEmpty();
    }
}
