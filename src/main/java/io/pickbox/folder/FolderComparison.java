package io.pickbox.folder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code pickbox verify} engine: compares folders that should be replicas of each other by
 * what replication promises to keep equal (paths, types, file content, owner-executable bit,
 * symlink targets). Timestamps and other permission bits are deliberately not compared.
 */
public final class FolderComparison {
    private static final int SHA_PREFIX = 12;

    /** One observed divergence at {@code path}. */
    public record Difference(String path, String description) {
        @Override
        public String toString() {
            return path + ": " + description;
        }
    }

    /** What replication keeps equal about one entry; the fields that do not apply are null/false. */
    private record Entry(FileStat.Kind kind, String sha256, boolean executable, String linkTarget) {}

    private FolderComparison() {}

    /**
     * Compares two or more folders. Returns differences sorted by path (for one path, in the order
     * of {@code dirs}); an empty list means identical. Internal paths ({@link Ignores#isInternal})
     * and entries with names that cannot be replicated are not compared.
     *
     * @throws IllegalArgumentException if fewer than two folders are given or one is not a directory
     */
    public static List<Difference> compare(List<Path> dirs) throws IOException {
        if (dirs == null || dirs.size() < 2) {
            throw new IllegalArgumentException("need at least two folders to compare, got " + (dirs == null ? 0 : dirs.size()));
        }
        Map<Path, SortedMap<String, Entry>> trees = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("not a directory (or does not exist): " + dir);
            }
            trees.put(dir, snapshot(dir));
        }
        TreeSet<String> allPaths = new TreeSet<>();
        trees.values().forEach(t -> allPaths.addAll(t.keySet()));

        List<Difference> differences = new ArrayList<>();
        for (String path : allPaths) {
            compareEntry(path, trees, differences);
        }
        return differences;
    }

    private static void compareEntry(String path, Map<Path, SortedMap<String, Entry>> trees, List<Difference> out) {
        Map<Path, Entry> present = new LinkedHashMap<>();
        trees.forEach((dir, tree) -> {
            Entry e = tree.get(path);
            if (e == null) {
                out.add(new Difference(path, "missing in " + dir));
            } else {
                present.put(dir, e);
            }
        });
        if (present.size() < 2) {
            return;
        }
        if (!allEqual(present, Entry::kind)) {
            out.add(new Difference(path, "type differs: " + describe(present, e -> e.kind().name().toLowerCase(Locale.ROOT))));
            return;
        }
        switch (present.values().iterator().next().kind()) {
            case FILE -> {
                if (!allEqual(present, Entry::sha256)) {
                    out.add(new Difference(path, "content differs: " + describe(present, e -> e.sha256().substring(0, SHA_PREFIX))));
                }
                if (!allEqual(present, Entry::executable)) {
                    out.add(new Difference(path, "executable bit differs: " + describe(present, e -> e.executable() ? "+x" : "-x")));
                }
            }
            case SYMLINK -> {
                if (!allEqual(present, Entry::linkTarget)) {
                    out.add(new Difference(path, "symlink target differs: " + describe(present, Entry::linkTarget)));
                }
            }
            case DIR -> { /* children are compared as paths of their own */ }
        }
    }

    private static SortedMap<String, Entry> snapshot(Path root) throws IOException {
        SortedMap<String, Entry> tree = new TreeMap<>();
        List<IOException> failures = new ArrayList<>();
        TreeScanner.scan(root, "", Ignores::isInternal, (rel, stat) -> {
            try {
                tree.put(rel, entryFor(root.resolve(rel), stat));
            } catch (NoSuchFileException e) {
                // Deleted between listing and hashing: report it as missing rather than failing.
            } catch (IOException e) {
                failures.add(e);
            }
        });
        if (!failures.isEmpty()) {
            IOException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
        return tree;
    }

    private static Entry entryFor(Path p, FileStat stat) throws IOException {
        return switch (stat.kind()) {
            case FILE -> new Entry(stat.kind(), Hashing.digest(p).sha256(), stat.executable(), null);
            case SYMLINK -> new Entry(stat.kind(), null, false, Files.readSymbolicLink(p).toString());
            case DIR -> new Entry(stat.kind(), null, false, null);
        };
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
