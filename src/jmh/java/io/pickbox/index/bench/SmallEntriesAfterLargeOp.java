package io.pickbox.index.bench;

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
    @Param({"false", "true"})
    public boolean afterRename;

    private FilledIndex index;
    private long file;
    private String root = "a";

    @Setup(Level.Trial)
    public void fill() throws IOException {
        index = new FilledIndex(root);
        if (afterRename) {
            index.apply(List.of(index.ops.rename(root, "b", 0, 0)));
            root = "b";
        }
    }

    @Benchmark
    public Object applySmallFile() {
        return index.apply(List.of(index.ops.put(root + "/d1/new" + file++, "new", 0)));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        index.close();
    }
}
