package io.pickbox.index.bench;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What applying an entry of one small file costs, on an index of 10,000 files, and after the same
 * index applied a rename of their directory (one op touching every row): apply's per-batch caches
 * must not carry the cost of that one large op into every entry after it.
 *
 * <pre>mvn -B -Pjmh test-compile exec:exec -Dbench.args="-f 1 SmallEntriesAfterLargeOp"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseG1GC"})
public class SmallEntriesAfterLargeOp {
    private static final int DIRS = 100;
    private static final int FILES_PER_DIR = 100;

    @Param({"false", "true"})
    public boolean afterRename;

    private Path dir;
    private Store store;
    private Index index;
    private final TestOps ops = new TestOps("bench");
    private long logIndex;
    private long file;
    private String root = "a";

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("small-after-large");
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
        if (afterRename) {
            apply(List.of(ops.rename(root, "b", 0, 0)));
            root = "b";
        }
    }

    @Benchmark
    public Object applySmallFile() {
        return apply(List.of(ops.put(root + "/d1/new" + file++, "new", 0)));
    }

    private Object apply(List<Op> entry) {
        return index.applyEntry(entry, 1, ++logIndex, System.currentTimeMillis());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        index.close();
        store.close();
        AtomicFiles.deleteRecursively(dir);
    }
}
