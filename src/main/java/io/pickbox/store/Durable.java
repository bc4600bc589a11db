package io.pickbox.store;

import io.pickbox.os.Durability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File operations that survive a power cut once they return: data and directory entries fsynced ({@link Durability}). */
public final class Durable {
    private static final Logger LOG = LoggerFactory.getLogger(Durable.class);
    private Durable() {}

    /** Fsyncs every regular file under {@code dir}, then each directory, then its parent (which names it). */
    public static void syncTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) force(p);
        Durability.current().forceDirectory(dir.toAbsolutePath().getParent());
    }

    /** Renames atomically and makes the rename durable. */
    public static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        Durability.current().forceDirectory(to.toAbsolutePath().getParent());
        Path fromParent = from.toAbsolutePath().getParent();
        if (!fromParent.equals(to.toAbsolutePath().getParent())) Durability.current().forceDirectory(fromParent);
    }

    /**
     * Moves a damaged file or directory out of the way, beside it under {@code NAME.corrupt-MILLIS},
     * kept for a look rather than deleted, and reports it: one line in the log, and in
     * {@link StateRepairs} for the node's status. Returns where it went.
     *
     * @param why    what is wrong with it
     * @param repair how its contents come back
     */
    public static Path moveAside(Path damaged, String why, String repair) throws IOException {
        Path aside = damaged.toAbsolutePath().resolveSibling(damaged.getFileName() + ".corrupt-" + System.currentTimeMillis());
        move(damaged, aside);
        StateRepairs.record(damaged.toAbsolutePath(), "damaged (" + why + "): moved aside to " + aside.getFileName() + "; " + repair);
        LOG.error("{} is damaged ({}): moved aside to {}; {}", damaged, why, aside.getFileName(), repair);
        return aside;
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static void force(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            Durability.current().forceDirectory(p);
        } else {
            Durability.current().force(p);
        }
    }
}
