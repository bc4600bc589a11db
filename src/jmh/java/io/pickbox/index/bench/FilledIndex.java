package io.pickbox.index.bench;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An index in a store of its own holding 10,000 small files in 100 directories under one directory. */
final class FilledIndex implements AutoCloseable {
    private static final int DIRS = 100;
    private static final int FILES_PER_DIR = 100;

    final TestOps ops = new TestOps("bench");
    private final Path dir;
    private final Store store;
    private final Index index;
    private long logIndex;

    FilledIndex(String root) throws IOException {
        dir = Files.createTempDirectory("filled-index");
        store = Store.open(dir.resolve("store"), StoreOptions.DEFAULT);
        index = new Index(store);
        apply(List.of(ops.mkdir(root)));
        List<Op> batch = new ArrayList<>();
        for (int d = 0; d < DIRS; d++) batch.add(ops.mkdir(root + "/d" + d));
        apply(batch);
        batch = new ArrayList<>();
        for (int d = 0; d < DIRS; d++) {
            for (int f = 0; f < FILES_PER_DIR; f++) {
                batch.add(ops.put(root + "/d" + d + "/f" + f, "content " + d + "/" + f, 0));
                if (batch.size() == 256) {
                    apply(batch);
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) apply(batch);
    }

    /** Applies {@code entry} as the next log entry. */
    Object apply(List<Op> entry) {
        return index.applyEntry(entry, 1, ++logIndex, System.currentTimeMillis());
    }

    @Override
    public void close() throws IOException {
        index.close();
        store.close();
        AtomicFiles.deleteRecursively(dir);
    }
}
