package io.pickbox.folder;

import io.pickbox.os.FolderDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code pickbox verify} engine: compares folders that should be replicas of each other by
 * what replication promises to keep equal (paths, types, file content, owner-executable bit,
 * symlink targets). Timestamps and other permission bits are deliberately not compared.
 *
 * <p>The folders are walked in step, one directory at a time: the sorted listings of the same
 * directory in every folder are merged, so memory follows the widest directory, not the size of
 * the trees, and differences come out as they are found.
 */
public final class FolderComparison {
    private static final int SHA_PREFIX = 12;
    /** Read buffer for hashing, one per comparison: most files are small, and a buffer per file was most of the cost. */
    private static final int READ_BUFFER = 64 << 10;

    /** One observed divergence at {@code path}. */
    public record Difference(String path, String description) {
        @Override
        public String toString() {
            return path + ": " + description;
        }
    }

    /** What replication keeps equal about one entry; the fields that do not apply are null/false. */
    private record Entry(FileStat.Kind kind, String sha256, boolean executable, String linkTarget) {}

    /**
     * One name of a directory listing across the folders: its stat in each folder (null where
     * absent). The same name appears twice in a merged listing: as itself, where the entry is
     * compared, and as {@code name + "/"}, where its contents are (see {@link #listing}).
     */
    private record Item(String path, FileStat[] stats, boolean contents) {}

    /** A directory being walked: the rest of its merged listing. */
    private record Frame(Iterator<Item> items) {}

    private FolderComparison() {}

    /**
     * Compares two or more folders. Returns differences sorted by path (for one path, in the order
     * of {@code dirs}); an empty list means identical. Internal paths ({@link Ignores#isInternal})
     * and entries with names that cannot be replicated are not compared.
     *
     * @throws IllegalArgumentException if fewer than two folders are given or one is not a directory
     */
    public static List<Difference> compare(List<Path> dirs) throws IOException {
        List<Difference> differences = new ArrayList<>();
        compare(dirs, differences::add);
        return differences;
    }

    /**
     * Compares like {@link #compare(List)}, handing each difference to {@code out} as soon as it is
     * found, in the same order. An error reading a file does not stop the walk: the first one is
     * thrown at the end, with the others suppressed in it.
     *
     * @return how many differences were found
     */
    public static long compare(List<Path> dirs, Consumer<Difference> out) throws IOException {
        if (dirs == null || dirs.size() < 2) {
            throw new IllegalArgumentException("need at least two folders to compare, got " + (dirs == null ? 0 : dirs.size()));
        }
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("not a directory (or does not exist): " + dir);
            }
        }
        List<Path> folders = List.copyOf(new LinkedHashSet<>(dirs));
        long[] count = {0};
        Consumer<Difference> counted = d -> {
            count[0]++;
            out.accept(d);
        };
        List<IOException> failures = new ArrayList<>();
        byte[] buffer = new byte[READ_BUFFER];
        // A folder given as a symlink to a directory is compared as that directory.
        FileStat[] roots = new FileStat[folders.size()];
        Arrays.fill(roots, new FileStat(FileStat.Kind.DIR, 0, 0, 0, 0, 0));
        Deque<Frame> stack = new ArrayDeque<>(); // explicit: paths can nest ~2000 levels deep
        stack.push(new Frame(listing(folders, "", roots).iterator()));
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.items().hasNext()) {
                stack.pop();
                continue;
            }
            Item item = frame.items().next();
            if (item.contents()) {
                stack.push(new Frame(listing(folders, item.path(), item.stats()).iterator()));
            } else {
                compareEntry(item.path(), folders, entries(folders, item, buffer, failures), counted);
            }
        }
        if (!failures.isEmpty()) {
            IOException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
        return count[0];
    }

    /**
     * The merged listing of directory {@code rel} in the folders where it is a directory
     * ({@code stats} says where), in the order of the paths it leads to: a directory's own entry
     * sorts by its path ("a" before "a.txt") but its contents by "a/" (after "a.txt"), so
     * comparing entries in this order gives them in path order across the whole tree.
     */
    private static List<Item> listing(List<Path> dirs, String rel, FileStat[] stats) throws IOException {
        TreeMap<String, FileStat[]> names = new TreeMap<>();
        for (int i = 0; i < dirs.size(); i++) {
            if (stats[i] == null || stats[i].kind() != FileStat.Kind.DIR) continue;
            for (var child : TreeScanner.children(dirs.get(i), rel, Ignores::isInternal)) {
                names.computeIfAbsent(child.getKey(), k -> new FileStat[dirs.size()])[i] = child.getValue();
            }
        }
        TreeMap<String, Item> items = new TreeMap<>();
        names.forEach((path, childStats) -> {
            items.put(path, new Item(path, childStats, false));
            if (Arrays.stream(childStats).anyMatch(s -> s != null && s.kind() == FileStat.Kind.DIR)) {
                items.put(path + "/", new Item(path, childStats, true));
            }
        });
        return new ArrayList<>(items.values());
    }

    /** What each folder holds at the item's path, in the order of {@code dirs}; absent ones left out. */
    private static Map<Path, Entry> entries(List<Path> dirs, Item item, byte[] buffer, List<IOException> failures) {
        Map<Path, Entry> present = new LinkedHashMap<>();
        for (int i = 0; i < dirs.size(); i++) {
            FileStat stat = item.stats()[i];
            if (stat == null) continue;
            try {
                present.put(dirs.get(i), entryFor(dirs.get(i), item.path(), stat, buffer));
            } catch (NoSuchFileException e) {
                // Deleted between listing and hashing: report it as missing rather than failing.
            } catch (IOException e) {
                failures.add(e);
            }
        }
        return present;
    }

    private static void compareEntry(String path, List<Path> dirs, Map<Path, Entry> present, Consumer<Difference> out) {
        for (Path dir : dirs) {
            if (!present.containsKey(dir)) out.accept(new Difference(path, "missing in " + dir));
        }
        if (present.size() < 2) {
            return;
        }
        if (!allEqual(present, Entry::kind)) {
            out.accept(new Difference(path, "type differs: " + describe(present, e -> e.kind().name().toLowerCase(Locale.ROOT))));
            return;
        }
        switch (present.values().iterator().next().kind()) {
            case FILE -> {
                if (!allEqual(present, Entry::sha256)) {
                    out.accept(new Difference(path, "content differs: " + describe(present, e -> e.sha256().substring(0, SHA_PREFIX))));
                }
                if (!allEqual(present, Entry::executable)) {
                    out.accept(new Difference(path, "executable bit differs: " + describe(present, e -> e.executable() ? "+x" : "-x")));
                }
            }
            case SYMLINK -> {
                if (!allEqual(present, Entry::linkTarget)) {
                    out.accept(new Difference(path, "symlink target differs: " + describe(present, Entry::linkTarget)));
                }
            }
            case DIR -> { /* children are compared as paths of their own */ }
            case OTHER -> { /* a fifo, socket or device: its kind is all there is to compare */ }
        }
    }

    /** What {@code root} holds at {@code rel}, read through its directory reached without following a symlink. */
    private static Entry entryFor(Path root, String rel, FileStat stat, byte[] buffer) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, rel)) {
            String name = FolderDir.nameOf(rel);
            return switch (stat.kind()) {
                case FILE -> new Entry(stat.kind(), sha256(dir, name, buffer), stat.executable(), null);
                case SYMLINK -> new Entry(stat.kind(), null, false, Files.readSymbolicLink(dir.path(name)).toString());
                case DIR, OTHER -> new Entry(stat.kind(), null, false, null); // a fifo is never opened: it would wait for a writer
            };
        }
    }

    /** The content hash of {@code name} in {@code dir}, not following a symlink. */
    private static String sha256(FolderDir dir, String name, byte[] buffer) throws IOException {
        MessageDigest md = Hashing.newSha256();
        try (InputStream in = java.nio.channels.Channels.newInputStream(dir.open(name, StandardOpenOption.READ))) {
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return Hashing.hex(md.digest());
    }

    private static boolean allEqual(Map<Path, Entry> present, Function<Entry, Object> field) {
        Object first = field.apply(present.values().iterator().next());
        return present.values().stream().allMatch(e -> Objects.equals(first, field.apply(e)));
    }

    private static String describe(Map<Path, Entry> present, Function<Entry, String> field) {
        StringBuilder sb = new StringBuilder();
        present.forEach((dir, e) -> sb.append(sb.length() == 0 ? "" : " ").append(dir).append('=').append(field.apply(e)));
        return sb.toString();
    }
}
