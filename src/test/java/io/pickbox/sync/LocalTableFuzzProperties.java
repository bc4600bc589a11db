package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.FileStat;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;
import io.pickbox.store.Batch;
import io.pickbox.store.Keys;
import io.pickbox.store.Store;
import io.pickbox.store.StoreException;
import io.pickbox.store.StoreOptions;
import io.pickbox.sync.LocalTable.Local;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
 * Fuzzing of what the local table reads back: a row damaged in the store decodes or is refused
 * with a {@link StoreException}, and an old journal left from an earlier version migrates or is
 * refused with an {@link IOException}; nothing else is thrown.
 */
@AddLifecycleHook(FuzzTries.class)
class LocalTableFuzzProperties {

    private Path dir;
    /** One store for every try (opening one costs more than a try), emptied before each. */
    private Store store;

    @BeforeProperty
    void open() throws IOException {
        dir = Files.createTempDirectory("local-table-fuzz");
        store = Store.open(dir.resolve("store"), StoreOptions.SMALL);
    }

    @AfterProperty
    void close() {
        store.close();
        Trees.delete(dir);
    }

    private void empty() {
        store.clear(List.of(store.table(LocalTable.TABLE)), store.meta(),
                List.of(Keys.of(LocalTable.COUNT), Keys.of(LocalTable.MAX_VERSION), Keys.of(LocalTable.MIGRATED)));
    }

    private static Arbitrary<Local> locals() {
        Arbitrary<FileStat> stat = Combinators.combine(Arbitraries.of(FileStat.Kind.class), Arbitraries.longs().between(0, 1L << 40),
                Arbitraries.longs(), Arbitraries.longs().between(1, 1L << 32), Arbitraries.of(0644, 0755), Arbitraries.longs())
                .as(FileStat::new);
        return Combinators.combine(Arbitraries.longs().between(0, 1000), Arbitraries.of("ab12", "9f").injectNull(0.3), stat)
                .as(Local::new);
    }

    /** A row's value as the table writes it. */
    @Provide
    Arbitrary<byte[]> rows() {
        return Mutations.of(locals().map(LocalTableFuzzProperties::row));
    }

    /** Journals of the format before the store: a type byte, the path, and for a put the row. */
    @Provide
    Arbitrary<byte[]> journals() {
        Arbitrary<Map.Entry<String, Local>> record = Combinators.combine(Arbitraries.of("a", "d/x.txt", "é"), locals().injectNull(0.3))
                .as((p, l) -> new java.util.AbstractMap.SimpleEntry<>(p, l));
        return Mutations.of(record.list().ofMinSize(1).ofMaxSize(4).map(LocalTableFuzzProperties::journal));
    }

    private static byte[] journal(List<Map.Entry<String, Local>> records) {
        return bytes(out -> {
            for (Map.Entry<String, Local> r : records) {
                out.writeByte(r.getValue() == null ? 2 : 1);
                out.writeUTF(r.getKey());
                if (r.getValue() != null) out.write(row(r.getValue()));
            }
        });
    }

    private static byte[] row(Local l) {
        return bytes(out -> {
            out.writeLong(l.version());
            out.writeBoolean(l.sha256() != null);
            if (l.sha256() != null) out.writeUTF(l.sha256());
            FileStat s = l.stat();
            out.writeByte(s.kind().ordinal());
            out.writeLong(s.size());
            out.writeLong(s.mtimeMillis());
            out.writeLong(s.inode());
            out.writeInt(s.mode());
            out.writeLong(s.ctimeNanos());
        });
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

    @Property(tries = 1000)
    void aDamagedRowDecodesOrIsRefusedAsCorrupt(@ForAll("rows") byte[] value) throws IOException {
        empty();
        try (Batch b = store.batch()) {
            b.put(store.table(LocalTable.TABLE), Keys.of("row"), value).commit();
        }
        try (LocalTable table = new LocalTable(store, dir.resolve("no-journal"))) {
            Throwable t = catchThrowable(() -> {
                Local got = table.get("row");
                assertThat(got).isNotNull();
                table.forEach("", (p, l) -> assertThat(l).isEqualTo(got));
                assertThat(table.rows("", null, 10)).hasSize(1);
            });
            Outcomes.count(t);
            if (t != null) {
                assertThat(t).isExactlyInstanceOf(StoreException.class);
                assertThat(t.getMessage()).isNotBlank();
            }
        }
    }

    @Property(tries = 100)
    void anOldJournalMigratesOrIsRefused(@ForAll("journals") byte[] journal) throws IOException {
        empty();
        Path file = dir.resolve("local.journal");
        Files.write(file, journal);
        Throwable t = catchThrowable(() -> {
            try (LocalTable table = new LocalTable(store, file)) {
                assertThat(file).doesNotExist();
                table.forEach("", (p, l) -> assertThat(l).isNotNull());
            }
        });
        Outcomes.count(t);
        if (t != null) {
            assertThat(t).isInstanceOf(IOException.class);
            assertThat(t.getMessage()).isNotBlank();
        }
        Files.deleteIfExists(file);
    }
}
