package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.sync.LocalTable.Local;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * An unmounted or wiped folder is not "the user deleted everything": when a large share of the
 * files this node synced are missing, their deletions are held (not proposed) until the files come
 * back, or the node is started with --allow-mass-delete.
 */
final class MassDeleteGuard {

    private static final Logger LOG = LoggerFactory.getLogger(MassDeleteGuard.class);

    /** Below this many synced files the guard does not apply. */
    static final int MIN_FILES = 20;

    private final Path root;
    private final Index index;
    private final LocalTable table;
    private final Predicate<String> ignored;
    private final double share;
    private final boolean allowed;
    private volatile boolean holding;

    /**
     * @param share   more than this share of synced files missing is a mass delete
     * @param allowed --allow-mass-delete: the guard never holds
     */
    MassDeleteGuard(Path root, Index index, LocalTable table, Predicate<String> ignored, double share, boolean allowed) {
        this.root = root;
        this.index = index;
        this.table = table;
        this.ignored = ignored;
        this.share = share;
        this.allowed = allowed;
    }

    /**
     * Synced files, and those of them missing from the folder, as one walk of the three trees counts
     * them. A missing file found under another name is not missing: a file renamed while the node
     * was down (or between full scans) keeps its inode, size and modification time, so it is matched
     * to a file the node has no row for that has the same three. An emptied folder with copies of its
     * files put back (new inodes) still counts as emptied.
     */
    static final class Count {
        /** Renames matched in one walk at most; missing files past this many count as missing. */
        static final int RENAMES_MATCHED = 100_000;

        private int synced, missing;
        private final Keys missingKeys = new Keys(), arrivedKeys = new Keys();

        /** Counts one path: its stat ({@code null}: not in the folder), row and entry. */
        void add(FileStat disk, Local row, Entry entry) {
            if (row == null) {
                if (disk != null && disk.kind() == FileStat.Kind.FILE) arrivedKeys.add(disk);
                return;
            }
            if (row.sha256() == null) return;
            synced++;
            if (isMissing(disk, row, entry)) {
                missing++;
                missingKeys.add(row.stat());
            }
        }

        /** {@code {missing, synced}}, renamed files not counted as missing. */
        int[] counts() {
            return new int[] {missing - Keys.common(missingKeys, arrivedKeys), synced};
        }
    }

    /** Identities (inode, size, mtime) of up to {@link Count#RENAMES_MATCHED} files, as longs. */
    private static final class Keys {
        private long[] keys = new long[16];
        private int size;

        void add(FileStat stat) {
            if (stat == null || stat.inode() == 0 || size == Count.RENAMES_MATCHED) return;
            if (size == keys.length) keys = Arrays.copyOf(keys, Math.min(2 * size, Count.RENAMES_MATCHED));
            keys[size++] = stat.inode() * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(stat.size(), 24) ^ Long.rotateLeft(stat.mtimeMillis(), 48);
        }

        /** How many keys the two hold in common, each key matched once. */
        static int common(Keys a, Keys b) {
            // Nothing missing, or nothing new: the usual scan sorts nothing.
            if (a.size == 0 || b.size == 0) return 0;
            long[] x = Arrays.copyOf(a.keys, a.size), y = Arrays.copyOf(b.keys, b.size);
            Arrays.sort(x);
            Arrays.sort(y);
            int i = 0, j = 0, matched = 0;
            while (i < x.length && j < y.length) {
                if (x[i] < y[j]) i++;
                else if (x[i] > y[j]) j++;
                else {
                    matched++;
                    i++;
                    j++;
                }
            }
            return matched;
        }
    }

    /** Whether a file this node synced is gone from its folder while still committed as it synced it. */
    static boolean isMissing(FileStat disk, Local row, Entry entry) {
        return disk == null && row != null && row.sha256() != null && entry != null && Reconciliation.stillSynced(row, entry);
    }

    /**
     * How many files this node synced are gone from its folder while still committed as it synced
     * them, against how many it synced: {@code {missing, synced}}. Before start-up; full scans count
     * as they go.
     */
    int[] missingFiles() {
        return count().counts();
    }

    /** Counts in a walk of its own. */
    Count count() {
        Count count = new Count();
        try {
            FolderJoin.run(root, "", ignored, index, table, (p, disk, row, entry) ->
                    count.add(disk == null ? FileStat.of(root, p) : disk, row, entry));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return count;
    }

    /** True when deleting {@code missing} of {@code synced} files needs --allow-mass-delete. */
    boolean isMassDelete(int missing, int synced) {
        return !allowed && synced >= MIN_FILES && missing > share * synced;
    }

    /** Holds deletions while a full scan's {@code count} says it is a mass delete, and lets them go once it does not. */
    void update(Count count) {
        int[] counts = count.counts();
        boolean hold = isMassDelete(counts[0], counts[1]);
        if (hold && !holding) {
            LOG.error("{} of {} synced files are missing from the folder: holding these deletions "
                    + "(restart with --allow-mass-delete if they are intended)", counts[0], counts[1]);
        }
        holding = hold;
    }

    /** Whether deletions of synced files are held, as of the last {@link #check}. */
    boolean holding() {
        return holding;
    }
}
