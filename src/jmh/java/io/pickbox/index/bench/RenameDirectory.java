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
 * What applying the rename of a directory of 10,000 small files costs one node (bench/run's rename
 * workload: every node applies it before it moves the directory on its disk). Each invocation moves
 * the tree back and forth, with the history on (every moved version is kept).
 *
 * <pre>mvn -B -Pjmh test-compile exec:exec -Dbench.args="-f 1 RenameDirectory"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseG1GC"})
public class RenameDirectory {
    private static final int DIRS = 100;
    private static final int FILES_PER_DIR = 100;

    private Path dir;
    private Store store;
    private Index index;
    private final TestOps ops = new TestOps("bench");
    private long logIndex;
    private String root = "a";

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("rename-directory");
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

    @Benchmark
    public Object renameTheTree() {
        String to = root.equals("a") ? "b" : "a";
        Object r = apply(List.of(ops.rename(root, to, 0, 0)));
        root = to;
        return r;
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
