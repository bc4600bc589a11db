package io.pickbox.store.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the benchmarks keep their stores, and a ready 1M-key copy per engine so forks skip loading it. */
final class Data {
    static final int N = Integer.getInteger("bench.keys", 1_000_000);
    static final Path ROOT = Path.of(System.getProperty("bench.dir", "target/store-bench"));

    private Data() {}

    static Path loaded(String engine, Dataset data) throws IOException {
        Path golden = ROOT.resolve(engine + "-" + N);
        if (Files.exists(golden.resolve("done"))) return golden;
        delete(golden);
        try (Candidate c = Candidate.open(engine, golden)) {
            data.load(c);
        }
        Files.createFile(golden.resolve("done"));
        return golden;
    }

    static Path fresh(String name) throws IOException {
        Path dir = ROOT.resolve(name);
        delete(dir);
        Files.createDirectories(dir.getParent());
        return dir;
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
