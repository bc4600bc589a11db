package io.pickbox.sync;

import io.pickbox.folder.DiskErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Paths whose committed version cannot be written into the folder for a reason of the disk, not of
 * the path: the file system is full, or it refuses this node (permission denied, read-only). Such
 * a path waits, with its reason shown; it is tried again with a growing delay, and nothing else
 * waits for it. A line is logged when a path starts waiting and one when it stops, not one per try;
 * past {@link #LOGGED_ONE_BY_ONE} paths waiting for one reason, one line stands for the rest.
 *
 * <p>Bounded as {@link PathProblems} is: past {@link PathProblems#MAX_PATHS} the oldest wait is
 * forgotten, which costs its reason in the status, never its retries (the scheduler keeps those).
 */
final class PathWaits {

    private static final Logger LOG = LoggerFactory.getLogger(PathWaits.class);

    /** Paths waiting for one reason that are logged by name; beyond, a count is. */
    static final int LOGGED_ONE_BY_ONE = 20;

    /** Why a path waits, and how long it waits at most between tries. */
    enum Kind {
        /** The file system is full (or the file would leave it too full), or a quota is reached. */
        SPACE(10_000),
        /** The folder refuses this node's writes there: permission denied, or a read-only file system. */
        PERMISSION(60_000);

        final long maxDelayMillis;

        Kind(long maxDelayMillis) {
            this.maxDelayMillis = maxDelayMillis;
        }
    }

    /** The first retry comes this long after a path starts waiting; each next one twice as late. */
    static final long FIRST_DELAY_MILLIS = 1000;

    private record Wait(Kind kind, String reason, long bytes, int tries, long sinceMillis, boolean logged) {}

    private final Map<String, Wait> waits = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Wait> eldest) {
            if (size() <= PathProblems.MAX_PATHS) return false;
            uncount(eldest.getValue());
            return true;
        }
    };
    /** Per kind: paths waiting and the bytes they need. */
    private final int[] counts = new int[Kind.values().length];
    private final long[] bytes = new long[Kind.values().length];
    /** Per kind: whether the line standing for paths not logged by name was written (reset once none waits). */
    private final boolean[] summarized = new boolean[Kind.values().length];

    /**
     * The kind of wait an error of writing into the folder calls for, or null for any other error.
     * Errors are told apart by their errno's text, the one thing the JDK keeps of it.
     */
    static Kind kindOf(Throwable error) {
        if (DiskErrors.noSpace(error)) return Kind.SPACE;
        if (DiskErrors.notAllowed(error)) return Kind.PERMISSION;
        return null;
    }

    /** The delay before try {@code tries} + 1 of a path waiting for {@code kind}. */
    static long delayAfter(Kind kind, int tries) {
        int doublings = Math.min(Math.max(tries - 1, 0), 20);
        return Math.min(kind.maxDelayMillis, FIRST_DELAY_MILLIS << doublings);
    }

    /**
     * Notes that {@code path} waits for {@code kind} ({@code bytes}: what it needs written, 0 when
     * not known); returns the delay after which to try it again.
     */
    synchronized long waiting(String path, Kind kind, String reason, long bytes) {
        Wait before = waits.remove(path);
        if (before != null) uncount(before);
        boolean continues = before != null && before.kind() == kind;
        int tries = continues ? before.tries() + 1 : 1;
        long since = continues ? before.sinceMillis() : System.currentTimeMillis();
        boolean logged = continues && before.logged();
        if (!continues) {
            if (before != null) ended(path, before);
            logged = logStart(path, kind, reason);
        }
        Wait now = new Wait(kind, reason, bytes, tries, since, logged);
        waits.put(path, now);
        counts[kind.ordinal()]++;
        this.bytes[kind.ordinal()] += bytes;
        return delayAfter(kind, tries);
    }

    private void uncount(Wait w) {
        counts[w.kind().ordinal()]--;
        bytes[w.kind().ordinal()] -= w.bytes();
    }

    private boolean logStart(String path, Kind kind, String reason) {
        if (count(kind) < LOGGED_ONE_BY_ONE) {
            LOG.warn("Not writing {} into the folder for now ({}); it is tried again, the other paths go on", path, reason);
            return true;
        }
        if (!summarized[kind.ordinal()]) {
            summarized[kind.ordinal()] = true;
            LOG.warn("More than {} paths wait ({}); the others are not logged one by one (see /v1/status)", LOGGED_ONE_BY_ONE,
                    kind == Kind.SPACE ? "for disk space" : "permission denied");
        }
        return false;
    }

    /** {@code path} no longer waits (written, or no longer to be written). */
    synchronized void passed(String path) {
        if (waits.isEmpty()) return;
        Wait w = waits.remove(path);
        if (w == null) return;
        uncount(w);
        ended(path, w);
    }

    private void ended(String path, Wait w) {
        if (w.logged()) {
            LOG.info("{} no longer waits ({} for {} s, {} tries)", path,
                    w.kind() == Kind.SPACE ? "for disk space" : "permission denied",
                    (System.currentTimeMillis() - w.sinceMillis()) / 1000, w.tries());
        }
        if (count(w.kind()) == 0) summarized[w.kind().ordinal()] = false;
    }

    synchronized String reasonAt(String path) {
        Wait w = waits.get(path);
        return w == null ? null : w.reason();
    }

    /** The waiting paths and their reasons, oldest first. */
    synchronized Map<String, String> reasons() {
        Map<String, String> out = new LinkedHashMap<>();
        waits.forEach((p, w) -> out.put(p, w.reason()));
        return Collections.unmodifiableMap(out);
    }

    /** Paths waiting for {@code kind}. */
    synchronized int count(Kind kind) {
        return counts[kind.ordinal()];
    }

    /** The bytes the paths waiting for {@code kind} need written (those of known size). */
    synchronized long bytes(Kind kind) {
        return bytes[kind.ordinal()];
    }
}
