package io.pickbox.store.bench;

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
import java.util.concurrent.TimeUnit;

/** (a) 1,000,000 puts into an empty store, 256 per transaction, no fsync per transaction. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseG1GC", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class ApplyBenchmark {
    @Param({"lmdb", "rocksdb", "mvstore", "store"})
    public String engine;

    private Dataset data;
    private Candidate store;

    @Setup(Level.Trial)
    public void data() {
        data = new Dataset(Data.N);
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        store = Candidate.open(engine, Data.fresh("apply-" + engine));
    }

    @Benchmark
    public void apply1M() {
        data.load(store);
    }

    @TearDown(Level.Iteration)
    public void close() {
        store.close();
    }
}
