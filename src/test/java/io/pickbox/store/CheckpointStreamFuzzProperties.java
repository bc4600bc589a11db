package io.pickbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.Hashing;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Fuzzing of the checkpoint a peer streams to a node that installs it: every stream is installed
 * whole and as described, or refused with an {@link IOException} that leaves nothing behind, and
 * nothing beside the target is ever touched.
 */
@AddLifecycleHook(FuzzTries.class)
class CheckpointStreamFuzzProperties {

    private Path root;
    private final AtomicInteger tries = new AtomicInteger();

    @BeforeProperty
    void createRoot() throws IOException {
        root = Files.createTempDirectory("checkpoint-fuzz");
    }

    @AfterProperty
    void deleteRoot() {
        Trees.delete(root);
    }

    /** Streams of checkpoints of one to three small files, named as a store's checkpoint names them. */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<byte[]> content = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<Map<String, byte[]>> files = Arbitraries.maps(Arbitraries.of("CURRENT", "MANIFEST-000005", "000007.sst", "OPTIONS-000009"),
                content).ofMinSize(1).ofMaxSize(3);
        return Mutations.of(files.map(CheckpointStreamFuzzProperties::stream));
    }

    /** A generator runs outside the property too (reporting a failure after it): so it keeps to a directory of its own. */
    private static byte[] stream(Map<String, byte[]> files) {
        try {
            Path dir = Files.createTempDirectory("checkpoint-source");
            for (Map.Entry<String, byte[]> f : files.entrySet()) Files.write(dir.resolve(f.getKey()), f.getValue());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CheckpointStream.write(dir, out);
            Trees.delete(dir);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 150)
    void aStreamIsInstalledAsDescribedOrRefusedLeavingNothing(@ForAll("streams") byte[] stream) throws IOException {
        Path place = Files.createDirectories(root.resolve("try-" + tries.incrementAndGet()));
        Files.writeString(place.resolve("neighbour"), "untouched");
        Path target = place.resolve("got");
        Map<String, String> before = Trees.picture(place);

        List<CheckpointStream.FileInfo>[] received = new List[1];
        Throwable t = catchThrowable(() -> received[0] = CheckpointStream.read(new ByteArrayInputStream(stream), target));
        Outcomes.count(t);

        if (t == null) {
            assertThat(received[0]).isNotEmpty();
            try (var listed = Files.list(target)) {
                assertThat(listed.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrderElementsOf(received[0].stream().map(CheckpointStream.FileInfo::name).toList());
            }
            for (CheckpointStream.FileInfo f : received[0]) {
                byte[] bytes = Files.readAllBytes(target.resolve(f.name()));
                assertThat(bytes).hasSize((int) f.size());
                assertThat(Hashing.sha256Hex(bytes)).isEqualTo(f.sha256());
            }
            Trees.delete(target);
        } else {
            assertThat(t).isInstanceOf(IOException.class);
            assertThat(t.getMessage()).isNotBlank();
        }
        assertThat(Trees.picture(place)).as("nothing but the target changes").isEqualTo(before);
        Trees.delete(place);
    }
}
