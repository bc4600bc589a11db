package io.pickbox.sync;

import io.pickbox.store.Keys;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where the folder has changes that nothing has looked at yet, kept in bounded memory: directories,
 * each with the first path (in path order) from which its walk has yet to go. A change seen in the
 * folder while the scheduler has no room is remembered here by its directory; a walk of that
 * directory from that path finds it again (and whatever else changed there) once there is room.
 *
 * <p>A directory under one already here only moves that one's starting point back; past
 * {@link #maxDirectories} directories they all become one walk of the whole folder from the first
 * of their starting points. Thread-safe.
 */
final class FolderBacklog {

    /** A walk still to do: below {@code dir} ("" for the whole folder), from {@code from} on (null: from the first path). */
    record Walk(String dir, String from) {}

    private final int maxDirectories;
    /** Directory to the first path its walk has yet to visit; null for all of it. */
    private final TreeMap<String, String> walks = new TreeMap<>(Keys::compare);

    FolderBacklog(int maxDirectories) {
        this.maxDirectories = maxDirectories;
    }

    /** A change at {@code path} that nothing looks at yet: its directory is walked from it ("": the whole folder). */
    synchronized void changed(String path) {
        if (path.isEmpty()) add("", null);
        else add(parentOf(path), path);
    }

    /**
     * Everything below {@code dir} from {@code from} on (null: all of it) is still to be looked at:
     * a directory a watcher could not follow, or the rest of a walk that stopped early.
     */
    synchronized void add(String dir, String from) {
        for (String a = dir; ; a = parentOf(a)) {
            if (walks.containsKey(a)) {
                // An ancestor's walk (or this directory's own) covers it: it starts no later than here.
                walks.put(a, first(walks.get(a), a.equals(dir) ? from : startOf(dir, from)));
                return;
            }
            if (a.isEmpty()) break;
        }
        String start = from;
        SortedMap<String, String> below = dir.isEmpty() ? walks : walks.subMap(dir + "/", dir + "0");
        for (Map.Entry<String, String> w : below.entrySet()) start = first(start, startOf(w.getKey(), w.getValue()));
        below.clear();
        walks.put(dir, start);
        if (walks.size() > maxDirectories) {
            String all = null;
            boolean fromTheFirst = false;
            for (Map.Entry<String, String> w : walks.entrySet()) {
                String s = startOf(w.getKey(), w.getValue());
                if (s == null) fromTheFirst = true;
                else all = all == null ? s : first(all, s);
            }
            walks.clear();
            walks.put("", fromTheFirst ? null : all);
        }
    }

    /** Takes one walk to do, or null when none is left. */
    synchronized Walk take() {
        Map.Entry<String, String> w = walks.pollFirstEntry();
        return w == null ? null : new Walk(w.getKey(), w.getValue());
    }

    synchronized boolean isEmpty() {
        return walks.isEmpty();
    }

    synchronized int size() {
        return walks.size();
    }

    /** Where a walk of {@code dir} from {@code from} starts, as a path; null for the whole folder from its first path. */
    private static String startOf(String dir, String from) {
        if (from != null) return from;
        return dir.isEmpty() ? null : dir;
    }

    /** The earlier of two starting points; null (the very first) before any. */
    private static String first(String a, String b) {
        if (a == null || b == null) return null;
        return Keys.compare(a, b) <= 0 ? a : b;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
