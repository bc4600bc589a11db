package io.pickbox.sync;

import io.pickbox.folder.FileStat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The renames and deletions this node carries out in its folder for committed changes, so that
 * the watcher's report of them (their echo) is not taken for a change of the user's and compared
 * again: on a node receiving a hundred renames, the echoes doubled the work. An echo is recognised
 * by what the disk shows when it is reported: for a rename, the same file (inode, size, mtime and
 * mode) at its new path and nothing at its old one; for a deletion, nothing at the path. Anything else goes through as
 * usual. Each expectation is claimed once; one not claimed within a few seconds (its report was
 * lost) is forgotten, and at most {@link #MAX_REMEMBERED} are held.
 */
final class OwnChanges {

    static final int MAX_REMEMBERED = 65_536;
    static final long FORGET_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Expired expectations are swept once this many are held. */
    private static final int SWEEP_ABOVE = 1024;

    /** {@code moved}: the stat of what is moved, as it was before; null for a deletion. */
    private record Expected(FileStat moved, long sinceNanos) {}

    private final Path root;
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private final LongAdder echoes = new LongAdder();

    OwnChanges(Path root) {
        this.root = root;
    }

    /** This node is about to rename {@code from} (whose stat is {@code st}) to {@code to}. */
    void moving(String from, String to, FileStat st) {
        remember(moveKey(from, to), new Expected(st, System.nanoTime()));
        expected.remove(deleteKey(to));
    }

    /** The rename announced by {@link #moving} did not happen. */
    void notMoved(String from, String to) {
        expected.remove(moveKey(from, to));
    }

    /** This node is about to delete the file at {@code path}. */
    void deleting(String path) {
        remember(deleteKey(path), new Expected(null, System.nanoTime()));
    }

    /** This node put a file at {@code path}: a deletion reported there from now on is the user's. */
    void wrote(String path) {
        if (!expected.isEmpty()) expected.remove(deleteKey(path));
    }

    /** Whether the watcher's rename of {@code from} to {@code to} is this node's own; claims it if so. */
    boolean isEchoOfMove(String from, String to) {
        Expected e = claim(moveKey(from, to));
        if (e == null) return false;
        boolean echo;
        try {
            echo = e.moved() != null && stillWhatWasMoved(stat(to), e.moved()) && stat(from) == null;
        } catch (RuntimeException unreadable) {
            echo = false;
        }
        if (echo) echoes.increment();
        return echo;
    }

    /** Whether the watcher's report of a change at {@code path} is this node's own deletion; claims it if so. */
    boolean isEchoOfDelete(String path) {
        if (expected.isEmpty()) return false;
        Expected e = claim(deleteKey(path));
        if (e == null) return false;
        boolean echo;
        try {
            echo = stat(path) == null;
        } catch (RuntimeException unreadable) {
            echo = false;
        }
        if (echo) echoes.increment();
        return echo;
    }

    /** Reports of this node's own renames and deletions recognised (and not compared again) since start. */
    long echoesIgnored() {
        return echoes.sum();
    }

    int remembered() {
        return expected.size();
    }

    /**
     * The same file (a rename changes only its ctime) or the same directory (whose times change
     * when it moves to another parent). Inode numbers alone are reused as soon as they are freed.
     */
    private static boolean stillWhatWasMoved(FileStat at, FileStat was) {
        if (at == null || at.kind() != was.kind() || at.inode() != was.inode() || was.inode() == 0) return false;
        return at.kind() != FileStat.Kind.FILE
                || (at.size() == was.size() && at.mtimeMillis() == was.mtimeMillis() && at.mode() == was.mode());
    }

    private Expected claim(String key) {
        Expected e = expected.remove(key);
        return e == null || System.nanoTime() - e.sinceNanos() > FORGET_AFTER_NANOS ? null : e;
    }

    private void remember(String key, Expected e) {
        if (expected.size() > SWEEP_ABOVE) {
            long now = System.nanoTime();
            expected.values().removeIf(x -> now - x.sinceNanos() > FORGET_AFTER_NANOS);
        }
        // Too many unclaimed: the echo is then compared like any change, which costs time, not correctness.
        if (expected.size() < MAX_REMEMBERED) expected.put(key, e);
    }

    private FileStat stat(String path) {
        return FileStat.of(root, path);
    }

    private static String moveKey(String from, String to) {
        return "m\0" + from + "\0" + to;
    }

    private static String deleteKey(String path) {
        return "d\0" + path;
    }
}
