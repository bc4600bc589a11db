package io.pickbox.os;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A {@link Durability} for tests that loses, at a chosen point, every write not made durable: it
 * remembers each file's bytes as of its last fsync and each directory's entries as of its last
 * fsync (both by inode, so renames and hard links are followed), and {@link #restore()} puts the
 * tree under its root back to exactly that, as a power cut would leave it. A file whose entry was
 * made durable but whose bytes never were comes back empty.
 *
 * <p>The sync points are counted; {@link #cutAt(int)} makes the n-th one cut the power: it throws
 * {@link Cut} instead of syncing, and so does every later one. Paths the {@code opaque} predicate
 * accepts (RocksDB's own store, which syncs natively, below this seam) are kept as they are.
 */
public final class PowerCut implements Durability, AutoCloseable {

    /** Thrown at the point the power was cut: an Error, so that no catch meant for I/O failures carries on past it. */
    public static final class Cut extends Error {
        Cut(int point) {
            super("power cut at sync point " + point);
        }
    }

    private final Path root;
    private final Predicate<Path> opaque;
    private final Map<Object, byte[]> data = new HashMap<>();
    private final Map<Object, Map<String, Object>> entries = new HashMap<>();
    private final Map<Object, Boolean> isDirectory = new HashMap<>();
    private int points;
    private int cutAt = Integer.MAX_VALUE;
    private boolean dead;

    private PowerCut(Path root, Predicate<Path> opaque) {
        this.root = root.toAbsolutePath();
        this.opaque = opaque;
    }

    /** Everything under {@code root} as it is now counts as durable; the layer is put in use. */
    public static PowerCut over(Path root, Predicate<Path> opaque) throws IOException {
        PowerCut cut = new PowerCut(root, opaque);
        cut.recordTree(cut.root);
        Durability.use(cut);
        return cut;
    }

    /** The n-th sync point from now on (1 = the next one) cuts the power. */
    public synchronized PowerCut cutAt(int n) {
        cutAt = points + n;
        return this;
    }

    /** Sync points met so far. */
    public synchronized int points() {
        return points;
    }

    public synchronized boolean cut() {
        return dead;
    }

    @Override
    public synchronized void force(Path named) throws IOException {
        point();
        Path file = canonical(named);
        if (!inside(file)) return;
        Object key = keyOf(file);
        data.put(key, Files.readAllBytes(file));
        isDirectory.put(key, false);
    }

    @Override
    public synchronized void forceDirectory(Path named) throws IOException {
        point();
        Path dir = canonical(named);
        if (inside(dir)) recordEntries(dir);
    }

    @Override
    public synchronized boolean forceFileSystem(Path dir) {
        point();
        try {
            recordTree(root);
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        REAL.rename(from, to);
    }

    private void point() {
        if (dead) throw new Cut(points);
        points++;
        if (points >= cutAt) {
            dead = true;
            throw new Cut(points);
        }
    }

    /**
     * Puts the tree back to what was durable (the machine is off: nothing may be open on it) and the
     * real {@link Durability} back in use.
     */
    public synchronized void restore() throws IOException {
        dead = true;
        Durability.use(REAL);
        Path held = Files.createTempDirectory(root.getParent(), ".opaque");
        List<Path> opaquePaths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (!p.equals(root) && opaque.test(p) && opaquePaths.stream().noneMatch(p::startsWith)) opaquePaths.add(p);
            }
        }
        Map<Path, Path> kept = new LinkedHashMap<>();
        for (Path p : opaquePaths) {
            Path to = held.resolve(String.valueOf(kept.size()));
            Files.move(p, to);
            kept.put(p, to);
        }
        Object rootKey = keyOf(root);
        clear(root);
        rebuild(rootKey, root);
        for (Map.Entry<Path, Path> e : kept.entrySet()) {
            Files.createDirectories(e.getKey().getParent());
            deleteTree(e.getKey());
            Files.move(e.getValue(), e.getKey());
        }
        deleteTree(held);
    }

    @Override
    public void close() {
        Durability.use(REAL);
    }

    private void rebuild(Object dirKey, Path dir) throws IOException {
        for (Map.Entry<String, Object> e : entries.getOrDefault(dirKey, Map.of()).entrySet()) {
            Path p = dir.resolve(e.getKey());
            if (Boolean.TRUE.equals(isDirectory.get(e.getValue()))) {
                Files.createDirectory(p);
                rebuild(e.getValue(), p);
            } else {
                Files.write(p, data.getOrDefault(e.getValue(), new byte[0]));
            }
        }
    }

    private void recordTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                recordEntries(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    data.put(attrs.fileKey(), Files.readAllBytes(f));
                    isDirectory.put(attrs.fileKey(), false);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void recordEntries(Path dir) throws IOException {
        Map<String, Object> listing = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                if (!a.isDirectory() && !a.isRegularFile()) continue;
                listing.put(p.getFileName().toString(), a.fileKey());
                isDirectory.put(a.fileKey(), a.isDirectory());
            }
        }
        Object key = keyOf(dir);
        entries.put(key, listing);
        isDirectory.put(key, true);
    }

    private boolean inside(Path p) {
        return canonical(p).startsWith(canonical(root));
    }

    /** Where {@code p} is: folder I/O names files through the directory it holds open (/proc/self/fd/N/name). */
    private static Path canonical(Path p) {
        Path a = p.toAbsolutePath();
        try {
            return a.toRealPath();
        } catch (IOException gone) {
            try {
                return a.getParent().toRealPath().resolve(a.getFileName());
            } catch (IOException e) {
                return a;
            }
        }
    }

    private static Object keyOf(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) deleteTree(p);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
