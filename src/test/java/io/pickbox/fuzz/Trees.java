package io.pickbox.fuzz;

import io.pickbox.folder.Hashing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Directory trees for fuzz properties: a picture of one to compare before and after, and removal. */
public final class Trees {

    private Trees() {}

    /** Every entry under {@code root} (not following links): its kind, and a file's size, hash and time. */
    public static Map<String, String> picture(Path root) {
        Map<String, String> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    out.put(root.relativize(dir).toString() + "/", "dir"); // its time changes with temp files made and removed in it
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String what = attrs.isSymbolicLink() ? "link " + Files.readSymbolicLink(file)
                            : "file " + attrs.size() + " " + Hashing.sha256Hex(Files.readAllBytes(file)) + " " + attrs.lastModifiedTime();
                    out.put(root.relativize(file).toString(), what);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
