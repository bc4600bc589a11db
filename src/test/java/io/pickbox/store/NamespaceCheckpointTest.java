package io.pickbox.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.pickbox.store.Keys.of;
import static org.assertj.core.api.Assertions.assertThat;

class NamespaceCheckpointTest {
    private static final String MARK = "NOT-FOR-PEERS";

    @TempDir
    Path tmp;

    /** Agreed tables beside a large table of this node's own, part of it flushed and part still in memory. */
    private Store populated() throws IOException {
        Store store = Store.open(tmp.resolve("store"), StoreOptions.SMALL);
        Table agreed = store.table("ns.rows");
        Table own = store.table("own");
        Random random = new Random(7);
        for (int round = 0; round < 4; round++) {
            try (Batch b = store.batch()) {
                for (int i = 0; i < 5_000; i++) {
                    byte[] noise = new byte[24];
                    random.nextBytes(noise);
                    b.put(own, of("own-" + round + "-" + i), of(MARK + HexFormat.of().formatHex(noise)));
                }
                b.put(agreed, of("row" + round), of("agreed " + round))
                        .putLong(store.meta(), "ns.applied", round)
                        .put(store.meta(), of("own.count"), of(MARK));
                b.commit();
            }
        }
        return store;
    }

    @Test
    void aNamespaceCheckpointHoldsOnlyThatNamespacesTablesAndMetaKeys() throws Exception {
        Path full = tmp.resolve("full");
        Path narrow = tmp.resolve("narrow");
        try (Store store = populated()) {
            store.checkpoint(full);
            store.checkpoint(narrow, "ns.");
        }
        assertThat(Store.tablesIn(full)).containsExactlyInAnyOrder("ns.rows", "own", Store.META);
        assertThat(Store.tablesIn(narrow)).containsExactlyInAnyOrder("ns.rows", Store.META);
        assertThat(sizeOf(narrow)).as("bytes of the narrow checkpoint").isLessThan(sizeOf(full) / 5);
        for (Path f : files(narrow)) {
            assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(MARK);
        }
        assertThat(files(narrow).stream().map(p -> p.getFileName().toString()))
                .noneMatch(f -> f.equals("LOCK") || f.startsWith("LOG"));
        assertThat(tableFiles(narrow)).as("table files are all live ones").isEqualTo(liveFiles(narrow));

        try (Store copy = Store.open(narrow, StoreOptions.SMALL)) {
            Table rows = copy.table("ns.rows");
            for (int round = 0; round < 4; round++) assertThat(copy.get(rows, of("row" + round))).isEqualTo(of("agreed " + round));
            assertThat(copy.getLong(copy.meta(), "ns.applied", -1)).isEqualTo(3);
            assertThat(copy.get(copy.meta(), of("own.count"))).isNull();
        }
    }

    @Test
    void theWholeStoreIsUntouchedByANarrowCheckpoint() throws IOException {
        try (Store store = populated()) {
            store.checkpoint(tmp.resolve("narrow"), "ns.");
            assertThat(store.get(store.table("own"), of("own-3-4999"))).isNotNull();
            assertThat(store.get(store.meta(), of("own.count"))).isEqualTo(of(MARK));
        }
        assertThat(Store.tablesIn(tmp.resolve("store"))).containsExactlyInAnyOrder("ns.rows", "own", Store.META);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        long sum = 0;
        for (Path f : files(dir)) sum += Files.size(f);
        return sum;
    }

    private static Set<String> tableFiles(Path dir) throws IOException {
        return files(dir).stream().map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".sst")).collect(Collectors.toSet());
    }

    private static Set<String> liveFiles(Path dir) throws Exception {
        Path copy = dir.resolveSibling(dir.getFileName() + ".probe");
        Files.createDirectories(copy);
        for (Path f : files(dir)) Files.copy(f, copy.resolve(f.getFileName()));
        List<String> names = Store.tablesIn(copy);
        var descriptors = new java.util.ArrayList<org.rocksdb.ColumnFamilyDescriptor>();
        descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String n : names) descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8)));
        var handles = new java.util.ArrayList<org.rocksdb.ColumnFamilyHandle>();
        try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions();
             RocksDB db = RocksDB.open(o, copy.toString(), descriptors, handles)) {
            Set<String> live = db.getLiveFilesMetaData().stream().map(LiveFileMetaData::fileName)
                    .map(f -> f.startsWith("/") ? f.substring(1) : f).collect(Collectors.toSet());
            handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            return live;
        }
    }
}
