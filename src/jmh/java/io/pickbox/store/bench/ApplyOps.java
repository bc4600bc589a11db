package io.pickbox.store.bench;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The index's apply in a JVM of its own with the node's heap cap: N new small files (one chunk
 * each) in N/100 directories (or as many as given), round robin as a burst arrives, proposed by
 * one node, 256 ops per Raft entry as the batcher packs them; then 50,000 of them changed. Prints
 * ops/s for each phase and the heap left after a full collection.
 */
public final class ApplyOps {
    private static final int OPS_PER_ENTRY = 256;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int dirs = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(1, n / 100);
        Path dir = Data.fresh("apply-ops");
        try (Store store = Store.open(dir, StoreOptions.DEFAULT)) {
            Index index = new Index(store);
            long[] seq = {0}, log = {0};
            long t0 = System.nanoTime();
            List<Op> ops = new ArrayList<>(OPS_PER_ENTRY);
            for (int i = 0; i < n; i++) {
                String sha = sha(i, 0);
                ops.add(new Op.Put(new Op.Origin("node1", ++seq[0]), path(i, dirs), 1024, sha, List.of(sha), 0644, 1000L, 0, true));
                if (ops.size() == OPS_PER_ENTRY || i == n - 1) {
                    index.applyEntry(ops, 1, ++log[0]);
                    ops.clear();
                }
            }
            double created = (System.nanoTime() - t0) / 1e9;

            int m = Math.min(n, 50_000);
            long t1 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                String sha = sha(i, 1);
                long base = index.get(path(i, dirs)).version();
                ops.add(new Op.Put(new Op.Origin("node1", ++seq[0]), path(i, dirs), 1024, sha, List.of(sha), 0644, 1000L, base, true));
                if (ops.size() == OPS_PER_ENTRY || i == m - 1) {
                    index.applyEntry(ops, 1, ++log[0]);
                    ops.clear();
                }
            }
            double changed = (System.nanoTime() - t1) / 1e9;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("[apply] files=%d dirs=%d new: %.2f s (%.0f ops/s) changed %d: %.2f s (%.0f ops/s) entries=%d heapAfterGc=%.1f MB%n",
                    n, dirs, created, n / created, m, changed, m / changed, index.size(), heap / 1e6);
        }
    }

    private static String path(int i, int dirs) {
        return "top/d" + (i % dirs) + "/f" + i + ".txt";
    }

    private static String sha(int i, int version) {
        String h = Long.toHexString(i * 2654435761L + version);
        return "0".repeat(64 - h.length()) + h;
    }
}
