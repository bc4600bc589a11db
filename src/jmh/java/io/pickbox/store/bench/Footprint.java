package io.pickbox.store.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * (e) heap and RSS of a JVM holding 1,000,000 keys and (f) their size on disk. Run in a JVM of its
 * own with the node's heap cap; the rows are generated on the fly so that only the store holds them.
 * Prints one line: engine, load time, reopen time, disk size, heap after GC, RSS (anonymous/file).
 */
public final class Footprint {
    public static void main(String[] args) throws Exception {
        String engine = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path dir = Data.fresh("footprint-" + engine);

        int[] order = shuffled(n);
        byte[][] keys = new byte[Dataset.BATCH][];
        byte[][] values = new byte[Dataset.BATCH][];
        long t0 = System.nanoTime();
        try (Candidate c = Candidate.open(engine, dir)) {
            for (int from = 0; from < n; from += Dataset.BATCH) {
                int to = Math.min(n, from + Dataset.BATCH);
                for (int i = from; i < to; i++) {
                    keys[i - from] = Dataset.key(order[i]);
                    values[i - from] = value(order[i]);
                }
                c.apply(keys, values, 0, to - from);
            }
            System.err.printf("loaded; rss %s%n", rss());
        }
        long loadMs = (System.nanoTime() - t0) / 1_000_000;

        long t1 = System.nanoTime();
        try (Candidate c = Candidate.open(engine, dir)) {
            c.get(Dataset.key(1));
            long openMs = (System.nanoTime() - t1) / 1_000_000;
            SplittableRandom r = new SplittableRandom(3);
            long found = 0;
            for (int i = 0; i < 300_000; i++) if (c.get(Dataset.key(r.nextInt(n))) != null) found++;
            byte[] cursor = new byte[0];
            long scanned = 0;
            for (int i = 0; i < n / 1000 + 1; i++) {
                scanned += c.page(cursor, 1000);
                cursor = Dataset.key(Math.min(n - 1, (i + 1) * 1000 - 1));
            }
            if (found != 300_000) throw new AssertionError("found " + found);
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("[footprint] %s keys=%d load=%d ms reopen=%d ms disk=%.1f MB heapAfterGc=%.1f MB rss: %s scanned=%d%n",
                    engine, n, loadMs, openMs, Fsync.size(dir) / 1e6, heap / 1e6, rss(), scanned);
        }
    }

    static byte[] value(int i) {
        SplittableRandom r = new SplittableRandom(i);
        byte[] v = new byte[100 + r.nextInt(101)];
        for (int j = 0; j < v.length; j++) v[j] = (byte) r.nextInt(j < 72 ? 16 : 256);
        return v;
    }

    private static int[] shuffled(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom r = new SplittableRandom(19);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return order;
    }

    private static String rss() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile")) {
                String[] f = line.split("\\s+");
                out.append(f[0]).append(Long.parseLong(f[1]) / 1024).append("MB ");
            }
        }
        return out.toString().trim();
    }
}
