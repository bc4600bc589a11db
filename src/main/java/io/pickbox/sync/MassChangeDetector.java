package io.pickbox.sync;

import io.pickbox.index.Entry;
import io.pickbox.index.IndexListener;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.os.FolderDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Flags a mass change: one node (the origin of the ops) deleting or rewriting more than
 * {@link Settings#files} files within {@link Settings#window} — an {@code rm -rf} in the wrong
 * directory, a bad checkout, ransomware encrypting a tree. Every node sees every committed op, so
 * every node flags the same bursts, from the cluster's commit times. A burst is flagged once, when
 * it crosses the threshold (one WARN line, and the {@link Flags} listeners: the event stream and
 * a metric); it goes on, with its counts growing, until its node changes nothing for a window. The
 * last {@value #RECENT} bursts are listed with the one restore that undoes each: the common
 * directory of its paths, as it was one second before its first change.
 *
 * <p>Counted from the changes the index announces for each op, before the op's own announcement:
 * a file deleted (alone or with its directory), or given other content (a new version, a file
 * renamed over it). Moves, metadata changes and new files are not counted, nor restores (asked
 * for by a person, who sees what they did). The window is kept in sixty slots per origin, so the
 * memory is bounded whatever the size of the burst.
 */
public final class MassChangeDetector implements IndexListener {

    private static final Logger LOG = LoggerFactory.getLogger(MassChangeDetector.class);

    /** Bursts listed at most. */
    public static final int RECENT = 10;
    /** Slots a window is counted in. */
    static final int SLOTS = 60;

    /**
     * @param files  more than this many files deleted or rewritten by one node within {@code window} is a mass change
     * @param window how far back a burst is counted; also the pause that ends a burst
     */
    public record Settings(int files, Duration window) {
        public static final int DEFAULT_FILES = 1_000;
        public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);

        public Settings {
            if (files < 1) throw new IllegalArgumentException("--mass-change-files must be at least 1: " + files);
            Objects.requireNonNull(window, "window");
            if (window.toMillis() < 1000 || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("--mass-change-window must be between 1s and 1d: " + window);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_FILES, DEFAULT_WINDOW);
        }
    }

    /**
     * One burst of changes by {@code node}: files deleted and rewritten from {@code since} to
     * {@code last} (cluster times, milliseconds), all at or under {@code prefix} ("" for the whole folder).
     */
    public record MassChange(String node, long deleted, long rewritten, long since, long last, String prefix) {

        private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9._/@%+=:,-]+");

        public long files() {
            return deleted + rewritten;
        }

        /** The directory a restore takes back: "/" for the whole folder. */
        public String path() {
            return prefix.isEmpty() ? "/" : prefix;
        }

        /** One second before the burst's first change: what the folder is restored to. */
        public Instant restoreAt() {
            return Instant.ofEpochMilli(since - 1000);
        }

        /** The command that undoes the burst. */
        public String undo() {
            return "pickbox restore " + shellWord(path()) + " --at \"" + restoreAt() + "\"";
        }

        /** As the event stream and the status report show it. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "mass-change");
            m.put("node", node);
            m.put("deleted", deleted);
            m.put("rewritten", rewritten);
            m.put("since", Instant.ofEpochMilli(since).toString());
            m.put("last", Instant.ofEpochMilli(last).toString());
            m.put("prefix", prefix);
            m.put("path", path());
            m.put("at", restoreAt().toString());
            m.put("atMillis", restoreAt().toEpochMilli());
            m.put("undo", undo());
            return m;
        }

        private static String shellWord(String s) {
            return SHELL_SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
        }
    }

    /** Told once per burst, on the apply thread, when it is flagged: only hands the news on. */
    @FunctionalInterface
    public interface Flags {
        void flagged(long logIndex, MassChange change);
    }

    private final Settings settings;
    private final long windowMillis;
    private final long slotMillis;
    private final LongSupplier committedTime;
    private final LongSupplier wallClock;
    private final List<Flags> flags = new CopyOnWriteArrayList<>();

    // The changes of the op being announced (apply thread only).
    private long pendingDeleted;
    private long pendingRewritten;
    private String pendingPrefix;
    private String movedFrom;

    // Under this object's lock: read by status and metrics.
    private final Map<String, Window> windows = new HashMap<>();
    private final ArrayDeque<Burst> recent = new ArrayDeque<>();
    private long latest;
    private long flagged;

    /**
     * @param committedTime the cluster's time of the op last applied (0: unknown, the wall clock is used)
     */
    public MassChangeDetector(Settings settings, LongSupplier committedTime, LongSupplier wallClock) {
        this.settings = settings;
        this.windowMillis = settings.window().toMillis();
        this.slotMillis = Math.max(1, windowMillis / SLOTS);
        this.committedTime = committedTime;
        this.wallClock = wallClock;
    }

    public Settings settings() {
        return settings;
    }

    /** {@code f} is told of every burst flagged from now on. */
    public void onFlag(Flags f) {
        flags.add(f);
    }

    // ---------------------------------------------------------------- in (apply thread)

    @Override
    public void renamed(String from, String to) {
        movedFrom = from; // announced before the op's changes: its removals under `from` are moves
    }

    @Override
    public void changed(String path, Entry before, Entry after) {
        if (before == null || !before.isFile()) return;
        if (after == null) {
            boolean moved = movedFrom != null && (path.equals(movedFrom) || path.startsWith(movedFrom + "/"));
            if (moved) return;
            // Removed by a rename: the file it put there in its place.
            if (movedFrom != null) pendingRewritten++;
            else pendingDeleted++;
        } else if (after.isFile()) {
            if (Objects.equals(before.sha256(), after.sha256())) return;
            pendingRewritten++;
        } else {
            pendingDeleted++; // a directory in its place
        }
        String dir = FolderDir.parentOf(path);
        pendingPrefix = pendingPrefix == null ? dir : commonDirectory(pendingPrefix, dir);
    }

    @Override
    public void applied(long logIndex, Op op, Result result) {
        long deleted = pendingDeleted, rewritten = pendingRewritten;
        String prefix = pendingPrefix;
        clearPending();
        if (deleted + rewritten == 0 || op instanceof Op.Restore || op instanceof Op.History) return;
        long at = committedTime.getAsLong();
        MassChange flag = record(op.origin().node(), at > 0 ? at : wallClock.getAsLong(), deleted, rewritten, prefix);
        if (flag == null) return;
        LOG.warn("Mass change: {} deleted {} and rewrote {} files under {} since {}; to undo it: {}", flag.node(),
                flag.deleted(), flag.rewritten(), flag.path(), Instant.ofEpochMilli(flag.since()), flag.undo());
        for (Flags f : flags) f.flagged(logIndex, flag);
    }

    @Override
    public void reset() {
        clearPending();
    }

    private void clearPending() {
        pendingDeleted = 0;
        pendingRewritten = 0;
        pendingPrefix = null;
        movedFrom = null;
    }

    // ---------------------------------------------------------------- the windows

    /** One origin's changes in the window, by slot, and its burst going on (null: none). */
    private static final class Window {
        final ArrayDeque<Slot> slots = new ArrayDeque<>();
        long files;
        Burst burst;
    }

    private static final class Slot {
        final long number;
        long first, last, deleted, rewritten;
        String prefix;

        Slot(long number, long at) {
            this.number = number;
            this.first = at;
            this.last = at;
        }

        long files() {
            return deleted + rewritten;
        }
    }

    private static final class Burst {
        final String node;
        final long since;
        long last, deleted, rewritten;
        String prefix;

        Burst(String node, long since) {
            this.node = node;
            this.since = since;
        }

        MassChange view() {
            return new MassChange(node, deleted, rewritten, since, last, prefix);
        }
    }

    /**
     * Adds one op's changes by {@code node} at cluster time {@code at}. Returns the burst when this
     * op made it cross the threshold, else null (below it, or flagged already).
     */
    synchronized MassChange record(String node, long at, long deleted, long rewritten, String prefix) {
        // Commit times of different leaders need not be in order: the window never goes back.
        at = Math.max(at, latest);
        latest = at;
        Window w = windows.computeIfAbsent(node, n -> new Window());
        if (w.burst != null && at - w.burst.last >= windowMillis) w.burst = null;
        evict(w, at);
        long number = Math.floorDiv(at, slotMillis);
        Slot s = w.slots.peekLast();
        if (s == null || s.number != number) {
            s = new Slot(number, at);
            w.slots.addLast(s);
        }
        s.last = at;
        s.deleted += deleted;
        s.rewritten += rewritten;
        s.prefix = s.prefix == null ? prefix : commonDirectory(s.prefix, prefix);
        w.files += deleted + rewritten;
        if (w.burst != null) {
            w.burst.last = at;
            w.burst.deleted += deleted;
            w.burst.rewritten += rewritten;
            w.burst.prefix = commonDirectory(w.burst.prefix, prefix);
            return null;
        }
        if (w.files <= settings.files()) return null;
        Burst b = new Burst(node, w.slots.peekFirst().first);
        for (Slot in : w.slots) {
            b.deleted += in.deleted;
            b.rewritten += in.rewritten;
            b.prefix = b.prefix == null ? in.prefix : commonDirectory(b.prefix, in.prefix);
        }
        b.last = at;
        w.burst = b;
        recent.addFirst(b);
        while (recent.size() > RECENT) recent.removeLast();
        flagged++;
        return b.view();
    }

    /** Drops the slots that ended a window or more before {@code at}. */
    private void evict(Window w, long at) {
        while (!w.slots.isEmpty() && w.slots.peekFirst().last <= at - windowMillis) {
            w.files -= w.slots.removeFirst().files();
        }
    }

    /** The last {@value #RECENT} bursts, newest first, with what they came to so far. */
    public synchronized List<MassChange> recent() {
        List<MassChange> out = new ArrayList<>(recent.size());
        for (Burst b : recent) out.add(b.view());
        return out;
    }

    /** Bursts flagged since this node started. */
    public synchronized long flaggedCount() {
        return flagged;
    }

    /**
     * The most files one node deleted or rewrote within the window up to now (what is compared
     * with the threshold), for a gauge. Now is the later of the last commit time seen and this
     * node's clock, so the gauge falls back to zero when changes stop.
     */
    public synchronized long filesInWindow() {
        long now = Math.max(latest, wallClock.getAsLong());
        long most = 0;
        for (Window w : windows.values()) {
            long files = 0;
            for (Slot s : w.slots) if (s.last > now - windowMillis) files += s.files();
            most = Math.max(most, files);
        }
        return most;
    }

    /** The deepest directory both {@code a} and {@code b} are at or under ("" for the top of the folder). */
    static String commonDirectory(String a, String b) {
        if (a.equals(b)) return a;
        int n = Math.min(a.length(), b.length());
        int end = 0;
        for (int i = 0; i <= n; i++) {
            boolean aEnds = i == a.length() || a.charAt(i) == '/';
            boolean bEnds = i == b.length() || b.charAt(i) == '/';
            if (aEnds && bEnds) end = i;
            if (i == n || a.charAt(i) != b.charAt(i)) break;
        }
        return a.substring(0, end);
    }
}
