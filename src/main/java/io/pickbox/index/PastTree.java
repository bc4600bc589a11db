package io.pickbox.index;

import io.pickbox.store.Batch;
import io.pickbox.store.Cursor;
import io.pickbox.store.Keys;
import io.pickbox.store.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The tree under a path as it was at a moment, read from the history and the current entries as
 * the batch being applied sees them: what restoring a tree to that moment brings back. Read a page
 * at a time in path order, so a directory comes before what is in it and a restore of any size
 * goes on where its last op stopped.
 */
final class PastTree {
    /** Paths in the order the store keeps them (UTF-8 bytes), which is where a page goes on from. */
    private static final Comparator<String> BY_KEY = Keys::compare;

    /**
     * One page: its paths, each with its version at the moment (null if it did not exist then), and
     * the last path when more may follow (null: this was the last page).
     */
    record Page(List<String> paths, List<Entry> then, String last) {}

    private PastTree() {
    }

    /**
     * Gathers, in path order, the paths at or under {@code prefix} after {@code after} (current or
     * in the history), at most {@code limit}, each with its version at time {@code at}.
     *
     * @param current the current entry of a path, as the batch sees it
     */
    static Page read(History history, Batch batch, Table entries, Function<String, Entry> current,
                     String prefix, String after, long at, int limit) {
        TreeMap<String, List<HistoryVersion>> old = new TreeMap<>(BY_KEY);
        TreeMap<String, Entry> now = new TreeMap<>(BY_KEY);
        boolean full = false;
        try (Cursor c = history.subtree(batch, prefix, after)) {
            while (c.next()) {
                HistoryVersion v = History.decodeRow(c.key(), c.value());
                if (!History.under(v.path(), prefix)) continue;
                if (!old.containsKey(v.path()) && old.size() == limit) {
                    full = true;
                    break;
                }
                old.computeIfAbsent(v.path(), k -> new ArrayList<>()).add(v);
            }
        }
        String bound = full ? old.lastKey() : null;
        if (!prefix.isEmpty() && (after == null || after.compareTo(prefix) < 0)) {
            Entry self = current.apply(prefix);
            if (self != null) now.put(prefix, self);
        }
        byte[] from = prefix.isEmpty() ? new byte[0] : Keys.of(prefix + "/");
        if (after != null && Arrays.compareUnsigned(Keys.of(after), from) >= 0) from = Keys.of(after);
        // '/' + 1 == '0': every "prefix/..." key sorts between "prefix/" and "prefix0".
        byte[] end = prefix.isEmpty() ? null : Keys.of(prefix + "0");
        try (Cursor c = batch.cursor(entries, from, end)) {
            while (now.size() < limit && c.next()) {
                String p = Keys.string(c.key());
                if (p.equals(after)) continue;
                if (bound != null && BY_KEY.compare(p, bound) > 0) break;
                now.put(p, IndexTables.decode(c.value()));
            }
            if (now.size() == limit && c.next()) full = true;
        }
        TreeSet<String> all = new TreeSet<>(BY_KEY);
        all.addAll(old.keySet());
        all.addAll(now.keySet());
        List<String> paths = new ArrayList<>();
        List<Entry> then = new ArrayList<>();
        String lastPath = null;
        for (String p : all) {
            if (paths.size() == limit) {
                full = true;
                break;
            }
            paths.add(p);
            then.add(versionAt(old.getOrDefault(p, List.of()), now.get(p), at));
            lastPath = p;
        }
        return new Page(paths, then, full ? lastPath : null);
    }

    /**
     * Which of a path's versions was current at {@code at}: the first kept one that ended after it
     * if it had been committed by then, else (its predecessor thinned away) still that one when the
     * path existed without a break up to it; the current one if none ended after {@code at} and it
     * was committed by then (or before commit times were kept). Null: the path did not exist then.
     */
    static Entry versionAt(List<HistoryVersion> ended, Entry current, long at) {
        for (int i = 0; i < ended.size(); i++) {
            HistoryVersion v = ended.get(i);
            if (v.endedAt() <= at) continue;
            if (v.entry().committedAt() <= at) return v.entry();
            if (i == 0) return null;
            HistoryVersion.Ending before = ended.get(i - 1).ending();
            boolean continued = before == HistoryVersion.Ending.EDITED || before == HistoryVersion.Ending.CHANGED
                    || before == HistoryVersion.Ending.REPLACED || before == HistoryVersion.Ending.RESTORED;
            return continued ? v.entry() : null;
        }
        return current != null && current.committedAt() <= at ? current : null;
    }
}
