package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.sync.LocalTable.Local;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
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
     * How many files this node synced are gone from its folder while still committed as it synced
     * them, against how many it synced: {@code {missing, synced}}.
     */
    int[] missingFiles() {
        int[] counts = new int[2]; // missing, synced
        table.forEach("", (p, l) -> {
            if (l.sha256() == null || ignored.test(p)) return;
            counts[1]++;
            Entry idx = index.get(p);
            if (idx != null && Reconciliation.stillSynced(l, idx) && FileStat.of(PathValidator.resolve(root, p)) == null) counts[0]++;
        });
        return counts;
    }

    /** True when deleting {@code missing} of {@code synced} files needs --allow-mass-delete. */
    boolean isMassDelete(int missing, int synced) {
        return !allowed && synced >= MIN_FILES && missing > share * synced;
    }

    /** Counts again (on every full scan) and holds deletions while it is a mass delete. */
    void check() {
        int[] m = missingFiles();
        boolean hold = isMassDelete(m[0], m[1]);
        if (hold && !holding) {
            LOG.error("{} of {} synced files are missing from the folder: holding these deletions "
                    + "(restart with --allow-mass-delete if they are intended)", m[0], m[1]);
        }
        holding = hold;
    }

    /** Whether deletions of synced files are held, as of the last {@link #check}. */
    boolean holding() {
        return holding;
    }
}
