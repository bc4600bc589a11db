package io.pickbox.store.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The index's rows as the benchmarks write them: relative paths in 10,000 directories, a value of
 * 100-200 bytes (version, sha256, size, mode, mtime, sometimes a chunk list), inserted in a random
 * order (a burst of writes arrives interleaved across directories, not sorted).
 */
final class Dataset {
    static final int BATCH = 256;

    final byte[][] keys;
    final byte[][] values;
    /** The same keys in sorted order, for lookups and cursors. */
    final byte[][] sorted;

    Dataset(int n) {
        keys = new byte[n][];
        values = new byte[n][];
        sorted = new byte[n][];
        SplittableRandom r = new SplittableRandom(19);
        for (int i = 0; i < n; i++) {
            sorted[i] = key(i);
            byte[] v = new byte[100 + r.nextInt(101)];
            for (int j = 0; j < v.length; j++) v[j] = (byte) r.nextInt(j < 72 ? 16 : 256);
            values[i] = v;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        for (int i = 0; i < n; i++) keys[i] = sorted[order[i]];
    }

    static byte[] key(int i) {
        return String.format("photos/%04d/%02d/IMG_%07d.jpg", i / 100, i % 7, i).getBytes(StandardCharsets.UTF_8);
    }

    void load(Candidate c) {
        for (int from = 0; from < keys.length; from += BATCH) {
            c.apply(keys, values, from, Math.min(keys.length, from + BATCH));
        }
    }
}
