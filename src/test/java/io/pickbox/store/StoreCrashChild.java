package io.pickbox.store;

import java.nio.file.Path;

import static io.pickbox.store.Keys.of;

/**
 * Writes batches until killed: batch b puts {@link #ROWS} rows "b/i", deletes the rows of batch
 * b - {@link #KEPT} and records b as applied. Prints each batch number once committed. Loads
 * RocksDB's library as a node does, from a folder beside the store: a killed JVM never deletes
 * the copy RocksDB's own loader leaves in the temp directory.
 */
public final class StoreCrashChild {
    static final int ROWS = 100;
    static final int KEPT = 3;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        NativeLibrary.loadFrom(dir.resolveSibling("lib"));
        try (Store store = Store.open(dir, StoreOptions.SMALL)) {
            Table rows = store.table("rows");
            Table meta = store.meta();
            byte[] value = new byte[150];
            for (long b = store.getLong(meta, "applied", 0) + 1; ; b++) {
                try (Batch batch = store.batch()) {
                    for (int i = 0; i < ROWS; i++) batch.put(rows, of(b + "/" + i), value);
                    if (b > KEPT) for (int i = 0; i < ROWS; i++) batch.delete(rows, of((b - KEPT) + "/" + i));
                    batch.putLong(meta, "applied", b).commit();
                }
                System.out.println(b);
                System.out.flush();
            }
        }
    }
}
