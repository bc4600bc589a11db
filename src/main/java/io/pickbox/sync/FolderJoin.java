package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.folder.TreeScanner;
import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.store.Keys;
import io.pickbox.sync.LocalTable.Local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The three trees below one directory side by side: the folder on disk, the index's entries and
 * the local table's rows, each walked in path order (code point order, the store's key order) and
 * joined on the path. Every path is met once with its stat, row and entry: a stat per file on disk
 * and sequential reads of the store, no lookups. Memory follows the widest directory and a page of
 * each table, not the size of the folder.
 */
final class FolderJoin {

    /** Receives one path's three views; any of them may be null, never all three. */
    interface Visitor {
        void visit(String path, FileStat disk, Local row, Entry entry);
    }

    /** Rows and entries read at a time. */
    private static final int PAGE = 1000;

    private FolderJoin() {}

    /**
     * Visits every path below {@code relDir} ("" for the whole folder; the directory itself is not
     * visited) that is on disk (as {@link TreeScanner} walks it), in the index or in the table,
     * leaving out what {@code ignored} accepts.
     */
    static void run(Path root, String relDir, Predicate<String> ignored, Index index, LocalTable table, Visitor visitor)
            throws IOException {
        run(root, relDir, null, ignored, index, table, (path, disk, row, entry) -> {
            visitor.visit(path, disk, row, entry);
            return true;
        });
    }

    /** Receives one path's three views, as {@link Visitor}, and says whether the walk goes on. */
    interface Walk {
        boolean visit(String path, FileStat disk, Local row, Entry entry);
    }

    /**
     * As {@link #run(Path, String, Predicate, Index, LocalTable, Visitor)}, from {@code from} on
     * (inclusive; null: from the first path below {@code relDir}), until {@code walk} says stop. A
     * walk can then go on later where it stopped: directories before {@code from} are not read.
     */
    static void run(Path root, String relDir, String from, Predicate<String> ignored, Index index, LocalTable table, Walk walk)
            throws IOException {
        if (from != null && !isBelow(from, relDir)) from = null;
        DiskWalk disk = new DiskWalk(root, relDir, from, ignored);
        Pages<Entry> entries = new Pages<>(after -> index.page(relDir, after, PAGE), relDir, from, index::get);
        Pages<Local> rows = new Pages<>(after -> table.rows(relDir.isEmpty() ? "" : relDir + "/", after, PAGE), relDir, from, table::get);
        while (true) {
            String d = disk.path(), e = entries.path(), r = rows.path();
            String path = min(d, min(e, r));
            if (path == null) return;
            FileStat stat = path.equals(d) ? disk.take() : null;
            Entry entry = path.equals(e) ? entries.take() : null;
            Local row = path.equals(r) ? rows.take() : null;
            if ((stat != null || !ignored.test(path)) && !walk.visit(path, stat, row, entry)) return;
        }
    }

    static boolean isBelow(String path, String relDir) {
        return relDir.isEmpty() ? !path.isEmpty() : path.startsWith(relDir + "/");
    }

    /**
     * Visits, in path order, every path from {@code from} on (inclusive; null: from the first) that
     * is in the index or in the table, leaving out what {@code ignored} accepts; the folder is not
     * read, and the disk's view is always null. A walk of the two tables alone, which can start
     * anywhere: what the folder should hold against what it held when this node last wrote it.
     */
    static void stored(String from, Predicate<String> ignored, Index index, LocalTable table, Visitor visitor) {
        Pages<Entry> entries = new Pages<>(after -> index.page("", after, PAGE), null, from, index::get);
        Pages<Local> rows = new Pages<>(after -> table.rows("", after, PAGE), null, from, table::get);
        while (true) {
            String e = entries.path(), r = rows.path();
            String path = min(e, r);
            if (path == null) return;
            Entry entry = path.equals(e) ? entries.take() : null;
            Local row = path.equals(r) ? rows.take() : null;
            if (!ignored.test(path)) visitor.visit(path, null, row, entry);
        }
    }

    private static String min(String a, String b) {
        if (a == null) return b;
        if (b == null) return a;
        return Keys.compare(a, b) <= 0 ? a : b;
    }

    /** One table read a page at a time, in path order. */
    private static final class Pages<V> {
        private final java.util.function.Function<String, List<Map.Entry<String, V>>> read;
        private final String skip;
        private Iterator<Map.Entry<String, V>> page = java.util.Collections.emptyIterator();
        private Map.Entry<String, V> head;
        private String last;
        private boolean exhausted;

        /**
         * @param skip a path never to return (the directory the walk starts at)
         * @param from where to start, inclusive (null: at the first); pages are read after it, and
         *             {@code get} reads it itself
         */
        Pages(java.util.function.Function<String, List<Map.Entry<String, V>>> read, String skip, String from,
              java.util.function.Function<String, V> get) {
            this.read = read;
            this.skip = skip;
            this.last = from;
            V first = from == null ? null : get.apply(from);
            if (first != null) head = Map.entry(from, first);
            else advance();
        }

        String path() {
            return head == null ? null : head.getKey();
        }

        V take() {
            V v = head.getValue();
            advance();
            return v;
        }

        private void advance() {
            head = null;
            while (head == null) {
                if (!page.hasNext()) {
                    if (exhausted) return;
                    List<Map.Entry<String, V>> next = read.apply(last);
                    exhausted = next.size() < PAGE;
                    if (next.isEmpty()) return;
                    last = next.get(next.size() - 1).getKey();
                    page = next.iterator();
                }
                Map.Entry<String, V> e = page.next();
                if (!e.getKey().equals(skip)) head = e;
            }
        }
    }

    /**
     * The folder below a directory in path order. A directory's listing holds each child twice:
     * as itself, and as its name and a slash, standing for its contents, which are listed when the
     * walk reaches that place ("a" < "a.txt" < "a/b").
     */
    private static final class DiskWalk {
        private record Item(String key, FileStat stat, boolean contents) {}

        private static final Comparator<Item> ORDER = (x, y) -> Keys.compare(x.key, y.key);

        private final Path root;
        private final Predicate<String> ignored;
        /** Where the walk starts (inclusive), or null. */
        private final String from;
        private final Deque<Iterator<Item>> stack = new ArrayDeque<>();
        private Item head;

        DiskWalk(Path root, String relDir, String from, Predicate<String> ignored) throws IOException {
            this.root = root;
            this.ignored = ignored;
            this.from = from;
            stack.push(listing(relDir));
            advance();
        }

        String path() {
            return head == null ? null : head.key;
        }

        FileStat take() throws IOException {
            FileStat stat = head.stat;
            advance();
            return stat;
        }

        private void advance() throws IOException {
            head = null;
            while (head == null && !stack.isEmpty()) {
                Iterator<Item> top = stack.peek();
                if (!top.hasNext()) {
                    stack.pop();
                    continue;
                }
                Item item = top.next();
                if (item.contents) {
                    stack.push(listing(item.key.substring(0, item.key.length() - 1)));
                } else {
                    head = item;
                }
            }
        }

        private Iterator<Item> listing(String dir) throws IOException {
            List<Item> items = new ArrayList<>();
            for (Map.Entry<String, FileStat> child : TreeScanner.children(root, dir, ignored)) {
                String key = child.getKey();
                if (from == null || Keys.compare(key, from) >= 0) items.add(new Item(key, child.getValue(), false));
                // A directory's contents come after "name/": all of them are before where the walk
                // starts unless it starts inside, or at or before "name/".
                String contents = key + "/";
                boolean reached = from == null || from.startsWith(contents) || Keys.compare(contents, from) >= 0;
                if (child.getValue().kind() == FileStat.Kind.DIR && reached) items.add(new Item(contents, null, true));
            }
            items.sort(ORDER);
            return items.iterator();
        }
    }
}
