package io.pickbox.index.bench;

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
    private FilledIndex index;
    private String root = "a";

    @Setup(Level.Trial)
    public void fill() throws IOException {
        index = new FilledIndex(root);
    }

    @Benchmark
    public Object renameTheTree() {
        String to = root.equals("a") ? "b" : "a";
        Object r = index.apply(List.of(index.ops.rename(root, to, 0, 0)));
        root = to;
        return r;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        index.close();
    }
}
