package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.Hashing;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;
import io.pickbox.index.ClusterTrust;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.IndexState;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * Fuzzing of the index snapshot of earlier versions, read once at start-up to move it into the
 * store: any file loads or is refused with an {@link IOException}, never another exception.
 */
@AddLifecycleHook(FuzzTries.class)
class LegacySnapshotFuzzProperties {

    private Path dir;
    private Index index;

    @BeforeProperty
    void open() throws IOException {
        dir = Files.createTempDirectory("legacy-snapshot-fuzz");
        index = new Index();
    }

    @AfterProperty
    void close() {
        index.close();
        Trees.delete(dir);
    }

    @Provide
    Arbitrary<byte[]> snapshots() {
        Arbitrary<String> paths = Arbitraries.of("a", "d", "d/x.txt", "é.txt");
        Arbitrary<String> hashes = Arbitraries.strings().numeric().ofLength(4).map(s -> Hashing.sha256Hex(s.getBytes()));
        Arbitrary<Entry> file = Combinators.combine(Arbitraries.longs().between(1, 99), hashes, hashes.list().ofMaxSize(3),
                Arbitraries.of("n1", "n2"), Arbitraries.of("", "d/x.txt").injectNull(0.7))
                .as((v, sha, chunks, origin, conflictOf) -> new Entry(Entry.Kind.FILE, v, chunks.size() * 10L, sha, chunks, 0644, 5, origin,
                        conflictOf == null || conflictOf.isEmpty() ? null : conflictOf));
        Arbitrary<Entry> dirEntry = Arbitraries.longs().between(1, 99).map(v -> Entry.dir(v, 0755, 7, "n1"));
        Arbitrary<Map<String, Entry>> entries = Arbitraries.maps(paths, Arbitraries.oneOf(file, dirEntry)).ofMaxSize(4);
        Arbitrary<Map<String, Long>> seqs = Arbitraries.maps(Arbitraries.of("n1", "n2"), Arbitraries.longs().between(0, 50)).ofMaxSize(2);
        Arbitrary<Map<String, String>> peers = Arbitraries.maps(Arbitraries.of("n1", "n2"), Arbitraries.of("10.0.0.1:7070")).ofMaxSize(2);
        return Mutations.of(Combinators.combine(Arbitraries.longs().between(0, 100), seqs, peers, entries)
                .as((clock, s, p, e) -> bytes(new IndexState(clock, s, p, new TreeMap<>(e), new ClusterTrust()))));
    }

    private static byte[] bytes(IndexState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            state.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Property(tries = 600)
    void anOldSnapshotLoadsOrIsMovedAsideAsDamaged(@ForAll("snapshots") byte[] snapshot) throws IOException {
        Path file = dir.resolve("snapshot.3_40");
        Files.write(file, snapshot);
        Throwable t = catchThrowable(() -> LegacySnapshot.migrate(dir, index));
        Outcomes.count(t);
        assertThat(t).as("a damaged snapshot is moved aside (the log or the leader has the index), never a failed start").isNull();
        if (Files.exists(file)) {
            assertThat(index.appliedIndex()).isEqualTo(40);
            assertThat(index.list("")).hasSize(index.size());
            Files.delete(file);
        } else {
            List<Path> aside;
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                aside = s.filter(p -> p.getFileName().toString().startsWith("snapshot.3_40.corrupt-")).toList();
            }
            assertThat(aside).hasSize(1);
            Files.delete(aside.get(0));
        }
    }
}
