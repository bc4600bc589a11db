package io.pickbox.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the chunk batch protocol, both ways: a peer's request is read as valid chunks and
 * paths or refused (an {@link IllegalArgumentException} the server answers 400, or an
 * {@link IOException} when it ends early); a peer's response is read as chunks within the chunk
 * size, absent ones, or an {@link IOException}.
 */
@AddLifecycleHook(FuzzTries.class)
class ChunkBatchFuzzProperties {

    @Provide
    Arbitrary<byte[]> requests() {
        Arbitrary<ChunkBatch.Wanted> wanted = Combinators.combine(Arbitraries.strings().numeric().ofLength(3),
                Arbitraries.of("a", "d/x.txt", "é/ü.bin", "a b/c d")).as((s, p) -> new ChunkBatch.Wanted(Hashing.sha256Hex(s.getBytes()), p));
        return Mutations.of(wanted.list().ofMinSize(1).ofMaxSize(5).map(w -> bytes(out -> ChunkBatch.writeRequest(w, out))));
    }

    @Provide
    Arbitrary<byte[]> responses() {
        Arbitrary<byte[]> chunk = Arbitraries.bytes().array(byte[].class).ofMaxSize(50).injectNull(0.3);
        return Mutations.of(chunk.list().ofMinSize(1).ofMaxSize(5).map(chunks -> bytes(out -> {
            for (byte[] c : chunks) ChunkBatch.writeChunk(c, out);
        })));
    }

    private interface Writing {
        void to(DataOutputStream out) throws IOException;
    }

    private static byte[] bytes(Writing writing) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writing.to(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Property(tries = 2000)
    void aRequestIsReadAsValidChunksOrRefused(@ForAll("requests") byte[] request) {
        List<ChunkBatch.Wanted>[] read = new List[1];
        Throwable t = catchThrowable(() -> read[0] = ChunkBatch.readRequest(new DataInputStream(new ByteArrayInputStream(request))));
        Outcomes.count(t);
        if (t == null) {
            assertThat(read[0]).hasSizeBetween(1, ChunkBatch.MAX_CHUNKS);
            for (ChunkBatch.Wanted w : read[0]) {
                assertThat(BlobStore.isHash(w.sha256())).isTrue();
                assertThat(PathValidator.normalize(w.path())).isEqualTo(w.path());
            }
        } else {
            assertThat(t).isInstanceOfAny(IllegalArgumentException.class, IOException.class);
            assertThat(t.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void aResponseIsReadAsChunksOrRefused(@ForAll("responses") byte[] response) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(response));
        Throwable t = catchThrowable(() -> {
            while (in.available() > 0) {
                byte[] chunk = ChunkBatch.readChunk(in);
                if (chunk != null) assertThat(chunk.length).isLessThan(Hashing.CHUNK_SIZE);
            }
        });
        Outcomes.count(t);
        if (t != null) {
            assertThat(t).isInstanceOf(IOException.class);
            assertThat(t.getMessage()).isNotBlank();
        }
    }
}
