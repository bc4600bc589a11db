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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** (b) random point gets and (c) pages of 1,000 entries after a random cursor, on 1,000,000 keys. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseG1GC", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class ReadBenchmark {
    @Param({"lmdb", "rocksdb", "mvstore", "store"})
    public String engine;

    private Dataset data;
    private Candidate store;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void open() throws IOException {
        data = new Dataset(Data.N);
        store = Candidate.open(engine, Data.loaded(engine, data));
    }

    @Benchmark
    public byte[] get() {
        return store.get(data.sorted[random.nextInt(data.sorted.length)]);
    }

    @Benchmark
    public long page1000() {
        return store.page(data.sorted[random.nextInt(data.sorted.length)], 1000);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }
}
