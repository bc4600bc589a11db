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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * (d) a consistent, fsynced checkpoint of 1,000,000 keys, and opening one until its first read.
 * Each checkpoint's size is printed to the benchmark's output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseG1GC", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class CheckpointBenchmark {
    @Param({"lmdb", "rocksdb", "mvstore", "store"})
    public String engine;

    private Candidate store;
    private Path target;
    private int round;

    @Setup(Level.Trial)
    public void open() throws IOException {
        store = Candidate.open(engine, Data.loaded(engine, new Dataset(Data.N)));
    }

    @Setup(Level.Iteration)
    public void target() throws IOException {
        target = Data.fresh("checkpoint-" + engine + "-" + (round++ % 2));
    }

    @Benchmark
    public void take() throws IOException {
        store.checkpoint(target);
    }

    @Benchmark
    public byte[] openAndRead() throws IOException {
        Path cp = target.resolveSibling(target.getFileName() + "-ready");
        if (!cp.toFile().exists()) store.checkpoint(cp);
        Path copy = Data.fresh(target.getFileName() + "-open");
        copyTree(cp, copy);
        try (Candidate c = Candidate.openCheckpoint(engine, copy)) {
            return c.get(Dataset.key(123_456));
        }
    }

    @TearDown(Level.Iteration)
    public void size() throws IOException {
        if (target.toFile().exists()) {
            System.out.printf("%n[checkpoint] %s: %.1f MB%n", engine, Fsync.size(target) / 1e6);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        java.nio.file.Files.createDirectories(to);
        try (var s = java.nio.file.Files.list(from)) {
            for (Path p : s.toList()) java.nio.file.Files.copy(p, to.resolve(p.getFileName()));
        }
    }
}
