package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.os.FolderDir;
import io.pickbox.folder.Hashing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small files this node deleted from its folder lately, kept for a few minutes in its state
 * directory instead of being unlinked, so that bringing them back (a restore undoing an
 * {@code rm -rf} made on another node) is a rename, not a rewrite. A restored tree then costs
 * every node but the one where it was deleted a few calls per file; and on file systems slow to
 * create files right after many were deleted (ext4 without a journal scans past every inode
 * freed in the last minutes for each file it creates), the inodes are not freed at all.
 *
 * <p>A file is kept only when its content is known: the version this node last synced, still
 * exactly as it wrote it. It is taken back by content (sha256 and size), and only if untouched
 * since (same inode, size, times). Bounded: at most {@link #MAX_FILES} files and
 * {@link #MAX_BYTES} bytes, each for {@link #MAX_AGE} at most, oldest removed first; when the disk
 * runs short, all of them. The list is in memory only: what is left at start is removed. Where the
 * state directory is not on the folder's file system (a rename cannot cross), files are deleted
 * as before.
 */
final class Attic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Attic.class);

    static final int MAX_FILES = 16_384;
    static final long MAX_BYTES = 256L << 20;
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** How often files past their age are removed when nothing else happens. */
    static final Duration SWEEP_EVERY = Duration.ofSeconds(30);

    private record Kept(String name, String key, FileStat stat, long keptAtNanos) {}

    private final FolderDir dir;
    private final LongSupplier nanos;
    private final int maxFiles;
    private final long maxBytes;
    private final long maxAgeNanos;
    /** By name, oldest first. */
    private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>();
    /** Names by content, oldest first. */
    private final Map<String, ArrayDeque<String>> byContent = new HashMap<>();
    private final ScheduledExecutorService sweeper;
    private long bytes;
    private long nextName;

    private Attic(FolderDir dir, LongSupplier nanos, int maxFiles, long maxBytes, Duration maxAge, boolean sweep) {
        this.dir = dir;
        this.nanos = nanos;
        this.maxFiles = maxFiles;
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAge.toNanos();
        if (dir != null && sweep) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pickbox-attic");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            sweeper = null;
        }
    }

    /** An attic that keeps nothing: every file is deleted. */
    static Attic none() {
        return new Attic(null, System::nanoTime, 0, 0, Duration.ZERO, false);
    }

    /**
     * The attic at {@code atticDir} for the folder at {@code root}, emptied of what an earlier run
     * left; one that keeps nothing when it cannot be on the folder's file system.
     */
    static Attic open(Path atticDir, Path root) {
        return open(atticDir, root, System::nanoTime, MAX_FILES, MAX_BYTES, MAX_AGE, true);
    }

    static Attic open(Path atticDir, Path root, LongSupplier nanos, int maxFiles, long maxBytes, Duration maxAge, boolean sweep) {
        try {
            Files.createDirectories(atticDir);
            Object atticDevice = Files.getAttribute(atticDir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            if (!atticDevice.equals(Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                LOG.info("Deleted files are not kept for a quick restore: {} is not on the folder's file system", atticDir);
                return none();
            }
            FolderDir dir = FolderDir.open(atticDir, "");
            for (String name : dir.list()) dir.delete(name);
            return new Attic(dir, nanos, maxFiles, maxBytes, maxAge, sweep);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            LOG.warn("Deleted files are not kept for a quick restore: {}", e.toString());
            return none();
        }
    }

    /** Whether a file with this content can be kept at all: a small file, whose content is known. */
    private boolean keeps(String sha256, long size) {
        return dir != null && sha256 != null && size < Hashing.CHUNK_SIZE && size <= maxBytes && maxFiles > 0;
    }

    /**
     * Moves the file {@code name} of {@code from}, whose stat is {@code st} and whose content is
     * {@code sha256}, here instead of deleting it. False, with nothing done, when it is not kept:
     * the caller deletes it.
     */
    boolean keep(FolderDir from, String name, FileStat st, String sha256) {
        if (!keeps(sha256, st.size()) || st.kind() != FileStat.Kind.FILE) return false;
        synchronized (this) {
            String own = Long.toHexString(nextName++);
            try {
                from.rename(name, dir, own);
            } catch (IOException | RuntimeException e) {
                LOG.debug("not kept: {}", e.toString());
                return false;
            }
            FileStat now;
            try {
                now = FileStat.read(dir, own);
            } catch (IOException | RuntimeException e) {
                now = null;
            }
            if (now == null || now.kind() != FileStat.Kind.FILE) {
                remove(own);
                return true; // moved, not kept: deleted all the same
            }
            Kept k = new Kept(own, key(sha256, now.size()), now, nanos.getAsLong());
            kept.put(own, k);
            byContent.computeIfAbsent(k.key(), c -> new ArrayDeque<>()).add(own);
            bytes += now.size();
            while (kept.size() > maxFiles || bytes > maxBytes) drop(kept.values().iterator().next());
            return true;
        }
    }

    /** Whether a file with this content is kept now. */
    synchronized boolean holds(String sha256, long size) {
        return keeps(sha256, size) && byContent.containsKey(key(sha256, size));
    }

    /**
     * Moves a kept file with this content, given permission bits {@code mode} (negative: as they
     * are) and {@code mtimeMillis}, to {@code toName} in {@code to}, where nothing may be. False
     * when none is kept, or none untouched since, or something is at {@code toName}.
     */
    boolean takeInto(String sha256, long size, int mode, long mtimeMillis, FolderDir to, String toName) {
        if (!keeps(sha256, size)) return false;
        for (;;) {
            Kept k;
            // Taken off the list under the lock; moved without it, so that groups move side by side.
            synchronized (this) {
                ArrayDeque<String> names = byContent.get(key(sha256, size));
                if (names == null) return false;
                k = kept.get(names.peekLast());
                forget(k);
            }
            try {
                FileStat now = FileStat.read(dir, k.name());
                // changed in the attic since: not that content for sure
                if (now == null || !now.sameAs(k.stat())) {
                    remove(k.name());
                    continue;
                }
                if (mode >= 0 && (now.mode() & 0777) != (mode & 0777)) dir.chmod(k.name(), mode & 0777);
                if (now.mtimeMillis() != mtimeMillis) dir.setTimes(k.name(), mtimeMillis);
                if (dir.renameNoReplace(k.name(), to, toName)) return true;
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot take {} from the attic: {}", k.name(), e.toString());
            }
            remove(k.name());
            return false;
        }
    }

    /** Removes the files kept longer than their age allows. */
    synchronized void sweep() {
        long now = nanos.getAsLong();
        while (!kept.isEmpty()) {
            Kept oldest = kept.values().iterator().next();
            if (now - oldest.keptAtNanos() < maxAgeNanos) return;
            drop(oldest);
        }
    }

    /** Removes every file kept (the disk runs short). */
    synchronized void clear() {
        while (!kept.isEmpty()) drop(kept.values().iterator().next());
    }

    synchronized int files() {
        return kept.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    private void drop(Kept k) {
        forget(k);
        remove(k.name());
    }

    private void forget(Kept k) {
        kept.remove(k.name());
        bytes -= k.stat().size();
        ArrayDeque<String> names = byContent.get(k.key());
        if (names != null) {
            names.remove(k.name());
            if (names.isEmpty()) byContent.remove(k.key());
        }
    }

    private void remove(String name) {
        try {
            dir.delete(name);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot remove {} from the attic: {}", name, e.toString());
        }
    }

    private static String key(String sha256, long size) {
        return sha256 + ":" + size;
    }

    @Override
    public void close() {
        if (sweeper != null) sweeper.shutdownNow();
        if (dir != null) {
            clear();
            dir.close();
        }
    }
}
