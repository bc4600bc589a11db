package io.pickbox.folder;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The folders walked in step give exactly what comparing whole snapshots of them gives (the way
 * verify worked before it streamed), for random trees whose names sort on both sides of '/'.
 */
class FolderComparisonProperties {

    private static final List<String> NAMES = List.of("a", "a-", "a.b", "a0", "b");

    /** One entry of one folder: a path, a kind (0 file, 1 directory, 2 symlink) and a content. */
    record Node(int folder, String path, int kind, int content) {}

    @Provide
    Arbitrary<List<Node>> trees() {
        Arbitrary<String> path = Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
        return Combinators.combine(Arbitraries.integers().between(0, 2), path, Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 1)).as((f, p, k, c) -> new Node(f, p, k < 4 ? 0 : k - 3, c))
                .list().ofMaxSize(40);
    }

    @Property(tries = 40)
    void streamingGivesWhatSnapshotsGive(@ForAll("trees") List<Node> nodes) throws IOException {
        Path tmp = Files.createTempDirectory("compare");
        try {
            List<Path> dirs = List.of(tmp.resolve("f0"), tmp.resolve("f1"), tmp.resolve("f2"));
            for (Path d : dirs) Files.createDirectories(d);
            for (Node n : nodes) create(dirs.get(n.folder()), n);
            assertThat(FolderComparison.compare(dirs)).isEqualTo(snapshotCompare(dirs));
        } finally {
            try (Stream<Path> all = Files.walk(tmp)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Creates the node unless something in the way (a file where a parent should be, or the path itself) exists. */
    private static void create(Path root, Node n) throws IOException {
        Path p = root.resolve(n.path());
        for (Path parent = p.getParent(); !parent.equals(root); parent = parent.getParent()) {
            if (Files.exists(parent, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(parent, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        }
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.createDirectories(p.getParent());
        switch (n.kind()) {
            case 0 -> Files.writeString(p, "content " + n.content());
            case 1 -> Files.createDirectory(p);
            default -> Files.createSymbolicLink(p, Path.of("target" + n.content()));
        }
    }

    // ------------------------------------------------------------ the comparison before it streamed

    private record Entry(FileStat.Kind kind, String sha256, boolean executable, String linkTarget) {}

    private static List<FolderComparison.Difference> snapshotCompare(List<Path> dirs) throws IOException {
        Map<Path, SortedMap<String, Entry>> trees = new LinkedHashMap<>();
        for (Path dir : dirs) trees.put(dir, snapshot(dir));
        TreeSet<String> all = new TreeSet<>();
        trees.values().forEach(t -> all.addAll(t.keySet()));
        List<FolderComparison.Difference> out = new ArrayList<>();
        for (String path : all) {
            Map<Path, Entry> present = new LinkedHashMap<>();
            trees.forEach((dir, tree) -> {
                Entry e = tree.get(path);
                if (e == null) out.add(new FolderComparison.Difference(path, "missing in " + dir));
                else present.put(dir, e);
            });
            if (present.size() < 2) continue;
            List<Entry> es = List.copyOf(present.values());
            if (es.stream().map(Entry::kind).distinct().count() > 1) {
                out.add(new FolderComparison.Difference(path, "type differs: " + describe(present, e -> e.kind().name().toLowerCase(Locale.ROOT))));
            } else if (es.get(0).kind() == FileStat.Kind.FILE && es.stream().map(Entry::sha256).distinct().count() > 1) {
                out.add(new FolderComparison.Difference(path, "content differs: " + describe(present, e -> e.sha256().substring(0, 12))));
            } else if (es.get(0).kind() == FileStat.Kind.SYMLINK && es.stream().map(Entry::linkTarget).filter(Objects::nonNull).distinct().count() > 1) {
                out.add(new FolderComparison.Difference(path, "symlink target differs: " + describe(present, Entry::linkTarget)));
            }
        }
        return out;
    }

    private static SortedMap<String, Entry> snapshot(Path root) throws IOException {
        SortedMap<String, Entry> tree = new TreeMap<>();
        TreeScanner.scan(root, "", Ignores::isInternal, (rel, stat) -> {
            try {
                Path p = root.resolve(rel);
                tree.put(rel, switch (stat.kind()) {
                    case FILE -> new Entry(stat.kind(), Hashing.digest(p).sha256(), stat.executable(), null);
                    case SYMLINK -> new Entry(stat.kind(), null, false, Files.readSymbolicLink(p).toString());
                    case DIR, OTHER -> new Entry(stat.kind(), null, false, null);
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return tree;
    }

    private static String describe(Map<Path, Entry> present, java.util.function.Function<Entry, String> field) {
        StringBuilder sb = new StringBuilder();
        present.forEach((dir, e) -> sb.append(sb.length() == 0 ? "" : " ").append(dir).append('=').append(field.apply(e)));
        return sb.toString();
    }
}
