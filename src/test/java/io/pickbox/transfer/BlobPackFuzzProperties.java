package io.pickbox.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.Hashing;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Fuzzing of what a node reads back from a pack file it finds on disk, through the pack's own API
 * (open, read, collect, open again): a damaged pack opens or fails with an {@link IOException};
 * a blob read is its exact bytes or absent, never other bytes; a record lying wholly before the
 * first damaged byte is still read.
 */
@AddLifecycleHook(FuzzTries.class)
class BlobPackFuzzProperties {

    /** A pack as written, the same damaged, and the blobs it held. */
    record Damaged(byte[] valid, byte[] damaged, List<byte[]> blobs) {
        @Override
        public String toString() {
            return "damaged pack of " + blobs.size() + " blobs: " + Arrays.toString(damaged);
        }
    }

    private Path root;
    /** One store for every try (opening one costs more than a try), emptied of the packs' locations before each. */
    private Store store;
    private final AtomicInteger tries = new AtomicInteger();

    @BeforeProperty
    void open() throws IOException {
        root = Files.createTempDirectory("pack-fuzz");
        store = Store.open(root.resolve("store"), StoreOptions.SMALL);
    }

    @AfterProperty
    void close() {
        store.close();
        Trees.delete(root);
    }

    private void forgetPacks() {
        List<byte[]> marks = new ArrayList<>(List.of(Keys.of("blobs.mapped")));
        for (int n = 1; n < 10; n++) marks.add(Keys.of("blobs.synced." + n));
        store.clear(List.of(store.table(BlobPack.TABLE)), store.meta(), marks);
    }

    @Provide
    Arbitrary<Damaged> packs() {
        Arbitrary<List<byte[]>> blobs = Arbitraries.bytes().array(byte[].class).ofMaxSize(100).list().ofMinSize(1).ofMaxSize(5);
        return Combinators.combine(blobs, Arbitraries.longs(), Arbitraries.integers().between(0, 9)).as((b, seed, kind) -> {
            byte[] valid = pack(b);
            byte[] damaged = kind == 0 ? valid : Mutations.damage(valid, new Random(seed));
            return new Damaged(valid, damaged, b);
        });
    }

    private static byte[] pack(List<byte[]> blobs) {
        ByteBuffer out = ByteBuffer.allocate(blobs.stream().mapToInt(b -> 36 + b.length).sum());
        for (byte[] b : blobs) out.putInt(b.length).put(Hashing.newSha256().digest(b)).put(b);
        return out.array();
    }

    @Property(tries = 150)
    void aDamagedPackServesExactBlobsOrNone(@ForAll("packs") Damaged pack) throws IOException {
        Path dir = Files.createDirectories(root.resolve("try-" + tries.incrementAndGet()));
        Files.write(dir.resolve("000001.pack"), pack.damaged());
        forgetPacks();
        Throwable t = catchThrowable(() -> {
            try (BlobPack packs = new BlobPack(dir, store)) {
                checkReads(packs, pack);
                packs.collect(sha -> true, Instant.now().plusSeconds(3600));
                checkReads(packs, pack);
            }
            try (BlobPack again = new BlobPack(dir, store)) {
                checkReads(again, pack);
            }
        });
        Outcomes.count(t);
        if (t != null) {
            assertThat(t).isInstanceOf(IOException.class);
            assertThat(t.getMessage()).isNotBlank();
        }
        Trees.delete(dir);
    }

    private static void checkReads(BlobPack packs, Damaged pack) throws IOException {
        int intact = commonPrefix(pack.valid(), pack.damaged());
        int offset = 0;
        for (byte[] blob : pack.blobs()) {
            String sha = Hashing.sha256Hex(blob);
            ByteBuffer read = packs.read(sha);
            if (read != null) assertThat(Hashing.sha256Hex(read)).isEqualTo(sha);
            offset += 36 + blob.length;
            if (offset <= intact) assertThat(read).as("a record before the damage").isNotNull();
        }
        List<String> others = new ArrayList<>();
        others.add(Hashing.sha256Hex(pack.damaged()));
        if (pack.damaged().length >= 36) others.add(Hashing.hex(Arrays.copyOfRange(pack.damaged(), 4, 36)));
        for (String sha : others) {
            ByteBuffer read = packs.read(sha);
            if (read != null) assertThat(Hashing.sha256Hex(read)).isEqualTo(sha);
        }
    }

    private static int commonPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return n;
    }
}
