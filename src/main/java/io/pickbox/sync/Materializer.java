package io.pickbox.sync;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.folder.DirectIo;
import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.StagedFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Brings one path of this node's folder to its committed entry: a complete file appears at
 * once (temp file in the same directory, verified, fsynced, renamed, directory fsynced), never
 * over a local edit that is not committed yet.
 */
final class Materializer implements AutoCloseable {

    /** Thrown when the disk holds a local edit that must be proposed before it can be replaced. */
    static final class LocalEditInTheWay extends IOException {
        LocalEditInTheWay(String path) {
            super("local edit of " + path + " is not committed yet");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);

    private final Path root;
    private final Transfers transfers;
    private final BlobStore blobs;
    private final BlobFetcher fetcher;
    private final GroupCommit committer;
    private final DirectIo directIo;
    private final StagedFiles staged;

    Materializer(Path root, BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, Transfers transfers) {
        this.committer = new GroupCommit(root);
        this.transfers = transfers;
        this.root = root;
        this.blobs = blobs;
        this.staged = staged;
        this.fetcher = fetcher;
        this.directIo = new DirectIo(root, Hashing.CHUNK_SIZE);
    }

    /**
     * Writes {@code entry} at {@code path}. {@code stillOurs} is asked, just before the rename, whether
     * what is on disk now may be replaced. Completes with the stat of the written file. Small files
     * are put in place by the group committer, many per flush.
     */
    CompletableFuture<FileStat> writeFile(String path, Entry entry, Predicate<FileStat> stillOurs) throws IOException {
        if (entry.chunks().size() <= 1) {
            Path target = PathValidator.resolve(root, path);
            Path tmp = writeTemp(path, entry, null, false);
            return committer.commit(tmp, target, path, stillOurs);
        }
        AtomicLong progress = transfers.start(path, "receiving", entry.size());
        try {
            return CompletableFuture.completedFuture(write(path, entry, stillOurs, progress));
        } finally {
            transfers.finish(path, "receiving");
        }
    }

    private FileStat write(String path, Entry entry, Predicate<FileStat> stillOurs, AtomicLong progress) throws IOException {
        Path target = PathValidator.resolve(root, path);
        Path tmp = completeStaged(path, entry, progress);
        if (tmp == null) tmp = writeTemp(path, entry, progress, true);
        try {
            place(tmp, target, path, stillOurs);
            AtomicFiles.fsyncDirectory(target.getParent());
            return FileStat.of(target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Finishes the file assembled here while its chunks were pushed (see {@link StagedFiles}): the
     * chunks it does not hold, or holds in another version, are written from the blobs. Returns it
     * ready to be renamed into place, or null (nothing staged, or not usable: it is then removed).
     * Every chunk in it was checked against its hash, the staged ones as they arrived and the others
     * as they are read here, so the whole file is not read and hashed again.
     */
    private Path completeStaged(String path, Entry entry, AtomicLong progress) throws IOException {
        StagedFiles.Staged s = staged.take(path);
        if (s == null) return null;
        boolean ok = false;
        try {
            List<String> chunks = entry.chunks();
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                if (!chunks.get(i).equals(s.chunkAt((long) i * Hashing.CHUNK_SIZE))) missing.add(i);
            }
            List<CompletableFuture<Boolean>> present = fetcher.ensureAll(missing.stream().map(chunks::get).toList());
            ByteBuffer reused = missing.isEmpty() ? null : blobs.newChunkBuffer();
            long written = 0;
            try (FileChannel out = FileChannel.open(s.file(), StandardOpenOption.WRITE);
                 FileChannel outDirect = missing.isEmpty() ? null : directIo.open(s.file(), StandardOpenOption.WRITE)) {
                for (int k = 0; k < missing.size(); k++) {
                    String chunk = chunks.get(missing.get(k));
                    if (!present.get(k).join()) throw new IOException("chunk " + chunk.substring(0, 12) + " is not available yet");
                    ByteBuffer buf = blobs.read(chunk, reused);
                    MessageDigest md = Hashing.newSha256();
                    md.update(buf.duplicate());
                    if (!Hashing.hex(md.digest()).equals(chunk)) throw new IOException("blob " + chunk.substring(0, 12) + " does not match its hash");
                    long offset = (long) missing.get(k) * Hashing.CHUNK_SIZE;
                    int size = buf.remaining();
                    if (outDirect != null && directIo.suits(buf, offset, size)) directIo.write(outDirect, s.file(), buf, offset);
                    else for (long pos = offset; buf.hasRemaining(); ) pos += out.write(buf, pos);
                    written += size;
                    progress.addAndGet(size);
                }
                out.truncate(entry.size());
                if (out.size() != entry.size()) throw new IOException("staged " + path + " is shorter than its entry");
                out.force(true);
            }
            staged.used(entry.size() - written);
            progress.addAndGet(entry.size() - written);
            applyMode(s.file(), entry.mode());
            Files.setLastModifiedTime(s.file(), FileTime.fromMillis(entry.mtime()));
            ok = true;
            return s.file();
        } catch (IOException e) {
            LOG.debug("The file staged for {} is not usable ({}); assembling it from its chunks", path, e.toString());
            return null;
        } finally {
            if (!ok) Files.deleteIfExists(s.file());
        }
    }

    /** Assembles the entry's chunks into a verified temp file next to the target, with its mode and mtime. */
    private Path writeTemp(String path, Entry entry, AtomicLong progress, boolean force) throws IOException {
        List<CompletableFuture<Boolean>> present = fetcher.ensureAll(entry.chunks());
        Path target = PathValidator.resolve(root, path);
        Path dir = target.getParent();
        ensureDirectory(dir);
        Path tmp = dir.resolve(PathValidator.TEMP_PREFIX + UUID.randomUUID());
        boolean ok = false;
        try {
            MessageDigest md = Hashing.newSha256();
            // A large file's chunks pass through one direct buffer, without a copy or garbage per
            // chunk; full chunks are read from the blobs and written into the file past the page
            // cache (DirectIo), as both are on disk before they count.
            boolean large = entry.chunks().size() > 1;
            ByteBuffer reused = large ? blobs.newChunkBuffer() : null;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 FileChannel outDirect = large ? directIo.open(tmp, StandardOpenOption.WRITE) : null) {
                long offset = 0;
                for (int i = 0; i < entry.chunks().size(); i++) {
                    String chunk = entry.chunks().get(i);
                    if (!present.get(i).join()) {
                        throw new IOException("chunk " + chunk.substring(0, 12) + " is not available from any peer yet");
                    }
                    ByteBuffer buf = reused == null ? ByteBuffer.wrap(blobs.read(chunk)) : blobs.read(chunk, reused);
                    int size = buf.remaining();
                    md.update(buf.duplicate());
                    if (outDirect != null && directIo.suits(buf, offset, size)) directIo.write(outDirect, tmp, buf, offset);
                    else for (long pos = offset; buf.hasRemaining(); ) pos += out.write(buf, pos);
                    offset += size;
                    if (progress != null) progress.addAndGet(size);
                }
                if (force) out.force(true);
            }
            String sha = Hashing.hex(md.digest());
            if (!sha.equals(entry.sha256())) {
                // A one-chunk file's blob may be torn by a crash before it was synced: drop it, so the
                // retry fetches it again from a peer.
                if (entry.chunks().size() == 1) Files.deleteIfExists(blobs.path(entry.chunks().get(0)));
                throw new IOException("assembled " + path + " does not match its hash");
            }
            applyMode(tmp, entry.mode());
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(entry.mtime()));
            ok = true;
            return tmp;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    FileStat makeDirectory(String path, Entry entry) throws IOException {
        Path target = PathValidator.resolve(root, path);
        FileStat st = FileStat.of(target);
        if (st != null && st.kind() != FileStat.Kind.DIR) throw new IOException("a file is in the way of directory " + path);
        ensureDirectory(target);
        return FileStat.of(target);
    }

    /**
     * Carries out a committed rename on disk when {@code from} is still what this node last synced
     * (a file: unchanged; a directory: present); the local table follows. False (nothing done)
     * otherwise: the paths are then brought up to date one by one. A file edited here inside a
     * moved directory moves with it and is proposed at its new path, as its stat no longer matches.
     */
    boolean move(String from, String to, LocalTable table) throws IOException {
        Path src = PathValidator.resolve(root, from);
        Path dst = PathValidator.resolve(root, to);
        LocalTable.Local top = table.get(from);
        FileStat st = FileStat.of(src);
        if (top == null || st == null || FileStat.of(dst) != null || st.kind() != top.stat().kind()) return false;
        if (st.kind() == FileStat.Kind.FILE && !st.sameAs(top.stat())) return false;
        java.util.List<String> under = new java.util.ArrayList<>();
        for (String p : table.paths()) if (p.startsWith(from + "/")) under.add(p);
        ensureDirectory(dst.getParent());
        Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(dst.getParent());
        AtomicFiles.fsyncDirectory(src.getParent());
        table.remove(from);
        table.put(to, new LocalTable.Local(top.version(), top.sha256(), FileStat.of(dst)));
        // Renaming a directory changes neither the inode nor the times of what is inside it.
        for (String p : under) {
            LocalTable.Local l = table.get(p);
            table.remove(p);
            if (l != null) table.put(to + p.substring(from.length()), l);
        }
        return true;
    }

    /** Applies a committed mode/mtime to an unchanged file. */
    FileStat updateMeta(String path, Entry entry) throws IOException {
        Path target = PathValidator.resolve(root, path);
        applyMode(target, entry.mode());
        Files.setLastModifiedTime(target, FileTime.fromMillis(entry.mtime()));
        return FileStat.of(target);
    }

    /** Deletes a file if it is still what this node last synced; false when the user changed it. */
    boolean deleteFile(String path, Predicate<FileStat> stillOurs) throws IOException {
        Path target = PathValidator.resolve(root, path);
        FileStat st = FileStat.of(target);
        if (st == null) return true;
        if (!stillOurs.test(st)) return false;
        Files.deleteIfExists(target);
        AtomicFiles.fsyncDirectory(target.getParent());
        return true;
    }

    /** Removes a directory holding nothing but stray temp files; false if something real is inside. */
    boolean deleteEmptyDirectory(String path) throws IOException {
        Path target = PathValidator.resolve(root, path);
        java.util.List<Path> temps = new java.util.ArrayList<>();
        try (var list = Files.list(target)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (!p.getFileName().toString().startsWith(PathValidator.TEMP_PREFIX)) return false;
                temps.add(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
        for (Path t : temps) Files.deleteIfExists(t);
        Files.deleteIfExists(target);
        return true;
    }

    private void ensureDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) Files.createDirectories(dir);
    }

    /**
     * Renames a verified temp file over {@code target}, unless what is there may not be replaced:
     * a local edit not committed yet ({@code stillOurs} says no) or a directory.
     */
    static void place(Path tmp, Path target, String path, Predicate<FileStat> stillOurs) throws IOException {
        FileStat onDisk = FileStat.read(target);
        if (onDisk != null && !stillOurs.test(onDisk)) throw new LocalEditInTheWay(path);
        if (onDisk != null && onDisk.kind() == FileStat.Kind.DIR) throw new IOException("a directory is in the way of " + path);
        move(tmp, target);
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void applyMode(Path p, int mode) throws IOException {
        if (mode < 0) return;
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) if ((mode & (1 << i)) != 0) perms.add(order[i]);
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: mode bits are not replicated there
        }
    }

    @Override
    public void close() {
        committer.close();
    }
}
