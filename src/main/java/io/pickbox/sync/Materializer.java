package io.pickbox.sync;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.folder.DirectIo;
import io.pickbox.folder.FileStat;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.NewFiles;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.os.FolderDir;
import io.pickbox.os.SymlinkInPathException;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkBatch;
import io.pickbox.transfer.FolderChunks;
import io.pickbox.transfer.Placement;
import io.pickbox.transfer.StagedFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
    private final DirectoryFlush directories = new DirectoryFlush();
    private final DirectIo directIo;
    private final StagedFiles staged;
    /** This node's own renames and deletions, so that their reports from the watcher are known as such. */
    final OwnChanges own;
    /** Small files this node deleted lately, kept a while: a restore moves them back. */
    private final Attic attic;
    /** Files put in place by {@link #writeNew}, many at a time. */
    final AtomicLong writtenInGroups = new AtomicLong();
    /** Other files of the folder that hold a chunk, as the index says. */
    private final ChunkHolders holders;
    volatile SyncMetrics metrics = SyncMetrics.NONE;

    /** Where the folder's other large files hold a chunk, as the index says: hints, as the files may have changed since. */
    interface ChunkHolders {
        ChunkHolders NONE = chunk -> List.of();

        List<Placement> of(String sha256);
    }

    Materializer(Path root, BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, Transfers transfers) {
        this(root, blobs, staged, fetcher, transfers, Attic.none(), ChunkHolders.NONE);
    }

    Materializer(Path root, BlobStore blobs, StagedFiles staged, BlobFetcher fetcher, Transfers transfers, Attic attic,
                 ChunkHolders holders) {
        this.attic = attic;
        this.holders = holders;
        this.committer = new GroupCommit(root);
        this.transfers = transfers;
        this.root = root;
        this.blobs = blobs;
        this.staged = staged;
        this.fetcher = fetcher;
        this.directIo = new DirectIo(root, Hashing.CHUNK_SIZE);
        this.own = new OwnChanges(root);
    }

    /** Where chunks are kept as blobs. */
    BlobStore blobs() {
        return blobs;
    }

    /**
     * Writes {@code entry} at {@code path}. {@code stillOurs} is asked, just before the rename, whether
     * what is on disk now may be replaced. Completes with the stat of the written file. Small files
     * are put in place by the group committer, many per flush.
     */
    CompletableFuture<FileStat> writeFile(String path, Entry entry, Predicate<FileStat> stillOurs) throws IOException {
        own.wrote(path);
        if (entry.chunks().size() <= 1) {
            String tmp = writeSmallTemp(path, entry);
            return committer.commit(tmp, path, stillOurs);
        }
        AtomicLong progress = transfers.start(path, "receiving", entry.size());
        try {
            return CompletableFuture.completedFuture(write(path, entry, stillOurs, progress));
        } finally {
            transfers.finish(path, "receiving");
        }
    }

    /** File bytes {@link #writeNew} holds at most before it writes them (each group costs two flushes). */
    static final long GROUP_BYTES = 16L << 20;

    /** Whether {@link #writeNew} can put {@code entry} in place: a directory, or a file of one chunk at most. */
    static boolean writableAsNew(Entry entry) {
        return entry.isDir() || (entry.isFile() && entry.chunks().size() <= 1 && entry.size() < Hashing.CHUNK_SIZE);
    }

    /**
     * Puts directories and small files where nothing is yet, many at once (a node catching up, a
     * restored tree): directories first, in the order given (parents before children), then the
     * files in groups of {@link NewFiles} of {@link #GROUP_BYTES} at most, their contents fetched
     * from peers in one request where they are not held.
     * Returns the stat of each path put in place. A path left out (something appeared there, its
     * directory is missing, its content cannot be had now) is left to the per-path work.
     */
    java.util.Map<String, FileStat> writeNew(List<String> paths, List<Entry> entries) throws IOException {
        java.util.Map<String, FileStat> placed = new java.util.HashMap<>();
        List<String> dirsMade = new ArrayList<>();
        // Made, but not given their committed mode: not placed, their own look applies it.
        Set<String> modeNotSet = new HashSet<>();
        List<Integer> files = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            if (!entries.get(i).isDir()) {
                files.add(i);
                continue;
            }
            String dir = paths.get(i);
            own.wrote(dir);
            try (FolderDir parent = FolderDir.openParent(root, dir)) {
                parent.mkdir(FolderDir.nameOf(dir));
                dirsMade.add(dir);
                try {
                    applyDirectoryMode(parent, FolderDir.nameOf(dir), entries.get(i));
                } catch (IOException e) {
                    modeNotSet.add(dir);
                }
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.NoSuchFileException
                     | java.nio.file.NotDirectoryException | SymlinkInPathException leftOut) {
                // something is there already, or its parent is not: the per-path work decides
            }
        }
        List<ChunkBatch.Wanted> wanted = new ArrayList<>();
        Set<String> notHeld = new HashSet<>();
        // Deleted here lately and kept: moved back, not written again (nor fetched).
        Set<Integer> kept = new HashSet<>();
        for (int i : files) {
            List<String> chunks = entries.get(i).chunks();
            if (attic.holds(entries.get(i).sha256(), entries.get(i).size())) {
                kept.add(i);
                continue;
            }
            if (!chunks.isEmpty() && !blobs.has(chunks.get(0))) {
                wanted.add(new ChunkBatch.Wanted(chunks.get(0), paths.get(i)));
                notHeld.add(chunks.get(0));
            }
        }
        if (!wanted.isEmpty()) fetcher.fetchBatch(wanted, ThreadLocalRandom.current().nextInt(1 << 16));
        List<NewFiles.Placed> written = new ArrayList<>(files.size());
        List<NewFiles.NewFile> group = new ArrayList<>();
        long groupBytes = 0;
        for (int i : files) {
            Entry e = entries.get(i);
            if (kept.contains(i)) {
                own.wrote(paths.get(i));
                group.add(new NewFiles.NewFile(paths.get(i), null, e.mode(), e.mtime(),
                        (dir, name) -> attic.takeInto(e.sha256(), e.size(), e.mode(), e.mtime(), dir, name)));
                continue;
            }
            byte[] data = new byte[0];
            if (!e.chunks().isEmpty()) {
                String chunk = e.chunks().get(0);
                // fetched above, or in a batch of the catch-up still under way (waited for), or alone
                if (notHeld.contains(chunk) && !fetcher.ensure(chunk)) continue;
                try {
                    data = blobs.readVerified(chunk);
                } catch (IOException unreadable) {
                    continue;
                }
            }
            if (!isContentOf(e, data)) continue;
            own.wrote(paths.get(i));
            group.add(new NewFiles.NewFile(paths.get(i), data, e.mode(), e.mtime()));
            groupBytes += data.length;
            // The bytes of a group are held until it is written: many larger files take several.
            if (groupBytes >= GROUP_BYTES) {
                written.addAll(NewFiles.write(root, group));
                group = new ArrayList<>();
                groupBytes = 0;
            }
        }
        if (!group.isEmpty()) written.addAll(NewFiles.write(root, group));
        writtenInGroups.addAndGet(written.size());
        // Directories made with no file after them: their entries are made durable here.
        if (written.isEmpty() && !dirsMade.isEmpty()) {
            AtomicFiles.flushFolder(root, List.of(), dirsMade.stream().map(FolderDir::parentOf).toList());
        }
        for (String d : dirsMade) {
            if (modeNotSet.contains(d)) continue;
            FileStat st = FileStat.read(root, d);
            if (st != null && st.kind() == FileStat.Kind.DIR) placed.put(d, st);
        }
        for (NewFiles.Placed p : written) placed.put(p.path(), p.stat());
        return placed;
    }

    private FileStat write(String path, Entry entry, Predicate<FileStat> stillOurs, AtomicLong progress) throws IOException {
        String tmp = completeStaged(path, entry, progress);
        if (tmp == null) tmp = assembleLarge(path, entry, progress);
        // Unreachable now (a symlink in place of its directory): the temp file is left where it is,
        // and removed with the other strays at the next start.
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            try {
                place(dir, FolderDir.nameOf(tmp), name, path, stillOurs);
                fsync(dir);
                return FileStat.read(dir, name);
            } finally {
                dir.delete(FolderDir.nameOf(tmp));
            }
        }
    }

    /**
     * Finishes the file assembled here while its chunks were pushed (see {@link StagedFiles}) with
     * the chunks it does not hold, or holds in another version; chunks of zeros where nothing was
     * staged are left as the holes they are. Returns it ready to be renamed into
     * place, or null (nothing staged, or not usable: it is then removed).
     */
    private String completeStaged(String path, Entry entry, AtomicLong progress) throws IOException {
        StagedFiles.Staged s = staged.take(path);
        if (s == null) return null;
        String file = FolderDir.parentOf(path);
        file = (file.isEmpty() ? "" : file + "/") + s.file().getFileName();
        boolean ok = false;
        try {
            Set<Integer> held = new HashSet<>();
            long heldBytes = 0;
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (entry.chunks().get(i).equals(s.chunkAt(offsetOf(i)))) {
                    held.add(i);
                    heldBytes += sizeOf(entry, i);
                }
            }
            // Where nothing was staged, the staged file has holes already.
            fill(path, file, entry, held, zeroChunks(entry, i -> s.chunkAt(offsetOf(i)) == null), progress);
            staged.used(heldBytes);
            ok = true;
            return file;
        } catch (IOException e) {
            LOG.debug("The file staged for {} is not usable ({}); assembling it from its chunks", path, e.toString());
            return null;
        } finally {
            if (!ok) deleteQuietly(root, file);
        }
    }

    /**
     * Assembles a large file into a new temp file next to its target. Its chunks of zeros are not
     * written: they stay holes, which read as zeros and take no space, as they did where the file
     * was written sparse (a disk image, say) or written at all.
     */
    private String assembleLarge(String path, Entry entry, AtomicLong progress) throws IOException {
        String tmp = tempFor(path);
        boolean ok = false;
        try {
            createTemp(tmp).close();
            fill(path, tmp, entry, Set.of(), zeroChunks(entry, i -> true), progress);
            ok = true;
            return tmp;
        } finally {
            if (!ok) deleteQuietly(root, tmp);
        }
    }

    /** The chunks of zeros of {@code entry} at the indexes where {@code holeThere}: left as holes, not written. */
    private static Set<Integer> zeroChunks(Entry entry, java.util.function.IntPredicate holeThere) {
        Set<Integer> holes = new HashSet<>();
        for (int i = 0; i < entry.chunks().size(); i++) {
            if (entry.chunks().get(i).equals(Hashing.ZERO_CHUNK_SHA256) && holeThere.test(i)) holes.add(i);
        }
        return holes;
    }

    /**
     * Writes every chunk of {@code entry} but the {@code held} ones and the {@code holes} (chunks of
     * zeros where nothing was ever written in {@code file}: holes already) into {@code file} at its
     * offset, sets the file's size to the entry's, makes it durable and gives it the entry's mode
     * and mtime.
     * Each chunk comes from the nearest place that has it: this node's blob, a copy already in
     * {@code file}, the same offset of the version of {@code path} in the folder now (the chunks an
     * edit did not touch), another large file of the folder that holds it (a copy, say), or else a
     * peer, which reads it from its blob or its own copy of the file.
     * Every chunk is checked against its hash as it is read or fetched, so the whole file is not read
     * and hashed again. Full chunks bypass the page cache (DirectIo), as the file is made durable
     * before it counts.
     */
    private void fill(String path, String fileRel, Entry entry, Set<Integer> held, Set<Integer> holes, AtomicLong progress)
            throws IOException {
        List<String> chunks = entry.chunks();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) if (!held.contains(i) && !holes.contains(i)) missing.add(i);
        // The file's name for messages; every access goes through dir, reached without following a symlink.
        Path file = root.resolve(fileRel);
        String name = FolderDir.nameOf(fileRel);
        try (FolderDir dir = FolderDir.openParent(root, fileRel);
             FileChannel out = dir.open(name, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel outDirect = missing.isEmpty() ? null
                     : directIo.open(dir, name, StandardOpenOption.WRITE)) {
            ByteBuffer reused = missing.isEmpty() ? null : blobs.newChunkBuffer();
            LocalCopies local = copyLocal(path, out, outDirect, file, entry, held, missing, reused);
            Set<Integer> copied = local.copied();
            missing.removeAll(copied);
            AtomicIntegerArray fetchedInPlace = new AtomicIntegerArray(missing.size());
            List<Placement> at = missing.stream().map(i -> new Placement(path, offsetOf(i))).toList();
            List<CompletableFuture<Boolean>> present = fetcher.ensureAll(missing.stream().map(chunks::get).toList(), at, (k, bytes) -> {
                try {
                    directIo.writeAt(out, outDirect, file, bytes, offsetOf(missing.get(k)));
                    fetchedInPlace.set(k, 1);
                    return true;
                } catch (IOException e) {
                    LOG.debug("Writing a fetched chunk into {} failed ({}); it is kept as a blob", file, e.toString());
                    return false;
                }
            });
            for (int k = 0; k < missing.size(); k++) {
                String chunk = chunks.get(missing.get(k));
                if (!present.get(k).join()) throw new IOException("chunk " + chunk.substring(0, 12) + " is not available from any peer yet");
                if (fetchedInPlace.get(k) == 0) {
                    ByteBuffer buf;
                    try {
                        buf = blobs.readVerified(chunk, reused);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // Dropped as damaged (or collected meanwhile): the retry fetches it again.
                        throw new IOException("blob " + chunk.substring(0, 12) + (e.getReason() != null ? " does not match its hash" : " is gone"), e);
                    }
                    directIo.writeAt(out, outDirect, file, buf, offsetOf(missing.get(k)));
                }
                progress.addAndGet(sizeOf(entry, missing.get(k)));
            }
            for (int i : held) progress.addAndGet(sizeOf(entry, i));
            for (int i : holes) progress.addAndGet(sizeOf(entry, i));
            long copiedBytes = 0;
            for (int i : copied) copiedBytes += sizeOf(entry, i);
            progress.addAndGet(copiedBytes);
            metrics.copiedLocally(copiedBytes);
            metrics.fetchedAtCommit(local.bytesToFetch());
            out.truncate(entry.size());
            // Ending in a hole: its last byte (a zero) gives the file its size.
            if (out.size() < entry.size() && holes.contains(chunks.size() - 1)) out.write(ByteBuffer.allocate(1), entry.size() - 1);
            if (out.size() != entry.size()) throw new IOException(file.getFileName() + " is shorter than its entry");
            io.pickbox.os.Durability.current().force(out, dir.path(name));
            AtomicFiles.applyMode(dir, name, entry.mode());
            dir.setTimes(name, entry.mtime());
        }
    }

    /**
     * Writes the {@code missing} chunks this node holds without a blob into {@code file}: a chunk
     * already in the file at another offset, a chunk at the same offset of the version of
     * {@code path} in the folder now, and a chunk another large file of the folder holds. Returns
     * the chunks written, and the bytes of those left for a peer (neither written nor held as a blob).
     */
    private LocalCopies copyLocal(String path, FileChannel out, FileChannel outDirect, Path file, Entry entry,
                                   Set<Integer> held, List<Integer> missing, ByteBuffer buf) throws IOException {
        List<String> chunks = entry.chunks();
        java.util.Map<String, Integer> inFile = new java.util.HashMap<>();
        for (int i : held) inFile.putIfAbsent(chunks.get(i), i);
        Set<Integer> copied = new HashSet<>();
        long toFetch = 0;
        java.util.Map<String, FileChannel> others = new java.util.HashMap<>();
        try (FileChannel old = openCurrent(path)) {
            for (int i : missing) {
                String chunk = chunks.get(i);
                if (blobs.has(chunk)) continue;
                ByteBuffer bytes = null;
                Integer same = inFile.get(chunk);
                if (same != null) bytes = FolderChunks.readVerified(out, offsetOf(same), chunk, buf);
                if (bytes == null && old != null) bytes = readOrNull(old, offsetOf(i), chunk, buf);
                if (bytes == null) bytes = fromAnotherFile(path, chunk, others, buf);
                if (bytes == null) {
                    toFetch += sizeOf(entry, i);
                    continue;
                }
                directIo.writeAt(out, outDirect, file, bytes, offsetOf(i));
                inFile.putIfAbsent(chunk, i);
                copied.add(i);
            }
        } finally {
            for (FileChannel c : others.values()) closeQuietly(c);
        }
        return new LocalCopies(copied, toFetch);
    }

    private record LocalCopies(Set<Integer> copied, long bytesToFetch) {}

    /**
     * Chunk {@code chunk} read from another large file of the folder that holds it, as the index
     * says, null when none does now. {@code open} keeps the files opened for this file's chunks
     * (a file that cannot be opened: null).
     */
    private ByteBuffer fromAnotherFile(String path, String chunk, java.util.Map<String, FileChannel> open, ByteBuffer buf) {
        for (Placement at : holders.of(chunk)) {
            if (at.path().equals(path)) continue;
            if (!open.containsKey(at.path())) open.put(at.path(), openCurrent(at.path()));
            FileChannel in = open.get(at.path());
            ByteBuffer bytes = in == null ? null : readOrNull(in, at.offset(), chunk, buf);
            if (bytes != null) return bytes;
        }
        return null;
    }

    private static void closeQuietly(FileChannel c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    /** As {@link FolderChunks#readVerified}, null when the folder's file cannot be read (a directory, say). */
    private static ByteBuffer readOrNull(FileChannel in, long offset, String chunk, ByteBuffer buf) {
        try {
            return FolderChunks.readVerified(in, offset, chunk, buf);
        } catch (IOException e) {
            return null;
        }
    }

    /** The file at {@code path} in the folder now, open for reading; null when there is none. */
    private FileChannel openCurrent(String path) {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            // Only a regular file is opened (a fifo would wait for a writer): anything else throws.
            return dir.open(FolderDir.nameOf(path), StandardOpenOption.READ);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    private static long offsetOf(int chunk) {
        return (long) chunk * Hashing.CHUNK_SIZE;
    }

    private static long sizeOf(Entry entry, int chunk) {
        return Math.min(Hashing.CHUNK_SIZE, entry.size() - offsetOf(chunk));
    }

    /** A fresh temp-file name next to {@code path}'s target (collisions are refused by CREATE_NEW). */
    private static String tempFor(String path) {
        String dir = FolderDir.parentOf(path);
        return (dir.isEmpty() ? "" : dir + "/") + PathValidator.TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** Creates {@code tmp} for writing, and its directory first if that is missing. */
    private FileChannel createTemp(String tmp) throws IOException {
        try (FolderDir dir = FolderDir.openCreating(root, FolderDir.parentOf(tmp))) {
            return dir.open(FolderDir.nameOf(tmp), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** As {@link AtomicFiles#fsyncDirectory}: best effort, where a directory cannot be flushed there is nothing better to do. */
    private static void fsync(FolderDir dir) {
        try {
            io.pickbox.os.Durability.current().forceDirectory(dir.path());
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {}: {}", dir.rel(), e.toString());
        }
    }

    /** Removes the temp file {@code tmp} if it is still there. */
    static void deleteQuietly(Path root, String tmp) {
        try (FolderDir dir = FolderDir.openParent(root, tmp)) {
            dir.delete(FolderDir.nameOf(tmp));
        } catch (IOException e) {
            LOG.debug("Cannot remove temp file {}: {}", tmp, e.toString());
        }
    }

    /** Writes a small file's one chunk, verified first, into a temp file next to its target, with its mode and mtime. */
    private String writeSmallTemp(String path, Entry entry) throws IOException {
        String kept = takeFromAttic(path, entry);
        if (kept != null) return kept;
        byte[] data = new byte[0];
        if (!entry.chunks().isEmpty()) {
            String chunk = entry.chunks().get(0);
            if (!fetcher.ensure(chunk)) throw new IOException("chunk " + chunk.substring(0, 12) + " is not available from any peer yet");
            // A blob torn by a crash before it was synced is dropped here, and the retry fetches it again.
            data = blobs.readVerified(chunk);
        }
        if (!isContentOf(entry, data)) throw new IOException("assembled " + path + " does not match its hash");
        String tmp = tempFor(path);
        String name = FolderDir.nameOf(tmp);
        try (FolderDir dir = FolderDir.openCreating(root, FolderDir.parentOf(tmp))) {
            boolean ok = false;
            try {
                try (FileChannel out = dir.open(name, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(data);
                    while (buf.hasRemaining()) out.write(buf);
                }
                AtomicFiles.applyMode(dir, name, entry.mode());
                dir.setTimes(name, entry.mtime());
                ok = true;
                return tmp;
            } finally {
                if (!ok) dir.delete(name);
            }
        }
    }

    private static final String EMPTY_SHA256 = Hashing.sha256Hex(new byte[0]);

    /**
     * Whether {@code data}, a file's one chunk read verified (or nothing, for an empty file), is the
     * content {@code entry} names: the chunk's hash is then the file's.
     */
    private static boolean isContentOf(Entry entry, byte[] data) {
        return entry.chunks().isEmpty() ? data.length == 0 && entry.sha256().equals(EMPTY_SHA256)
                : entry.chunks().size() == 1 && entry.chunks().get(0).equals(entry.sha256());
    }

    /** A temp file for {@code path} holding {@code entry}: a file deleted here lately and kept, moved back; null if none is kept. */
    private String takeFromAttic(String path, Entry entry) throws IOException {
        if (!attic.holds(entry.sha256(), entry.size())) return null;
        String tmp = tempFor(path);
        String name = FolderDir.nameOf(tmp);
        try (FolderDir dir = FolderDir.openCreating(root, FolderDir.parentOf(tmp))) {
            return attic.takeInto(entry.sha256(), entry.size(), entry.mode(), entry.mtime(), dir, name) ? tmp : null;
        }
    }

    /** A directory made here gets the umask's bits: it is given the committed ones (a private directory stays private). */
    private static void applyDirectoryMode(FolderDir parent, String name, Entry entry) throws IOException {
        if (entry.mode() != 0) AtomicFiles.applyMode(parent, name, Reconciliation.directoryBits(entry.mode()));
    }

    FileStat makeDirectory(String path, Entry entry) throws IOException {
        own.wrote(path);
        try (FolderDir parent = FolderDir.openCreating(root, FolderDir.parentOf(path))) {
            String name = FolderDir.nameOf(path);
            FileStat st = FileStat.read(parent, name);
            if (st != null && st.kind() == FileStat.Kind.SYMLINK) throw new SymlinkInPathException(path, path);
            if (st != null && st.kind() != FileStat.Kind.DIR) throw new IOException("a file is in the way of directory " + path);
            if (st == null) {
                try {
                    parent.mkdir(name);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // made meanwhile: what it is, is read below
                }
            }
            st = FileStat.read(parent, name);
            if (st != null && st.kind() == FileStat.Kind.SYMLINK) throw new SymlinkInPathException(path, path);
            if (st == null || st.kind() != FileStat.Kind.DIR || entry.mode() == 0
                    || Reconciliation.directoryBits(st.mode()) == Reconciliation.directoryBits(entry.mode())) {
                return st;
            }
            // Absent when this was decided: made just now (here, or as the parent of a file written
            // here) with the umask's bits.
            applyDirectoryMode(parent, name, entry);
            return FileStat.read(parent, name);
        }
    }

    /**
     * Carries out a committed rename on disk when {@code from} is still what this node last synced
     * (a file: unchanged; a directory: present); the local table follows. False (nothing done)
     * otherwise: the paths are then brought up to date one by one. A file edited here inside a
     * moved directory moves with it and is proposed at its new path, as its stat no longer matches.
     * The table follows once the rename is durable (its flush shared with other renames and deletes).
     */
    CompletableFuture<Boolean> move(String from, String to, LocalTable table) throws IOException {
        Path src = PathValidator.resolve(root, from);
        Path dst = PathValidator.resolve(root, to);
        LocalTable.Local top = table.get(from);
        FileStat st = FileStat.read(root, from);
        if (top == null || st == null || FileStat.read(root, to) != null || st.kind() != top.stat().kind()) {
            return CompletableFuture.completedFuture(false);
        }
        if (st.kind() == FileStat.Kind.FILE && !st.sameAs(top.stat())) return CompletableFuture.completedFuture(false);
        FileStat moved;
        try (FolderDir srcDir = FolderDir.openParent(root, from);
             FolderDir dstDir = FolderDir.openCreating(root, FolderDir.parentOf(to))) {
            own.moving(from, to, st);
            boolean done;
            try {
                done = srcDir.renameNoReplace(FolderDir.nameOf(from), dstDir, FolderDir.nameOf(to));
            } catch (IOException | RuntimeException e) {
                own.notMoved(from, to);
                throw e;
            }
            if (!done) {
                own.notMoved(from, to); // something appeared at the target meanwhile
                return CompletableFuture.completedFuture(false);
            }
            moved = FileStat.read(dstDir, FolderDir.nameOf(to));
        }
        return directories.flush(dst.getParent(), src.getParent()).thenApply(durable -> {
            table.moveSubtree(from, to, new LocalTable.Local(top.version(), top.sha256(), moved));
            return true;
        });
    }

    /** Applies a committed mode and mtime to an unchanged file, or a committed mode to a directory. */
    FileStat updateMeta(String path, Entry entry) throws IOException {
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            // A directory's mtime changes with every name made in it: it is not replicated.
            if (entry.isDir()) {
                AtomicFiles.applyMode(dir, name, Reconciliation.directoryBits(entry.mode()));
            } else {
                AtomicFiles.applyMode(dir, name, entry.mode());
                dir.setTimes(name, entry.mtime());
            }
            return FileStat.read(dir, name);
        }
    }

    /**
     * Deletes a file if it is still what this node last synced; false when the user changed it.
     * Completes once the deletion is durable (its flush shared with other renames and deletes).
     */
    CompletableFuture<Boolean> deleteFile(String path, Predicate<FileStat> stillOurs) throws IOException {
        return deleteFile(path, stillOurs, null);
    }

    /**
     * As {@link #deleteFile(String, Predicate)}, for a file whose content is {@code sha256} while it is
     * still ours: a small one is kept a while in the attic instead of being unlinked.
     */
    CompletableFuture<Boolean> deleteFile(String path, Predicate<FileStat> stillOurs, String sha256) throws IOException {
        Path target = PathValidator.resolve(root, path);
        try (FolderDir dir = FolderDir.openParent(root, path)) {
            String name = FolderDir.nameOf(path);
            FileStat st = FileStat.read(dir, name);
            if (st == null) return CompletableFuture.completedFuture(true);
            if (!stillOurs.test(st)) return CompletableFuture.completedFuture(false);
            own.deleting(path);
            if (!attic.keep(dir, name, st, sha256)) dir.delete(name);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException | SymlinkInPathException gone) {
            return CompletableFuture.completedFuture(true); // its directory is gone: so is the file, for the folder
        }
        return directories.flush(target.getParent()).thenApply(durable -> true);
    }

    /** Removes a directory holding nothing but stray temp files; false if something real is inside. */
    boolean deleteEmptyDirectory(String path) throws IOException {
        try (FolderDir parent = FolderDir.openParent(root, path); FolderDir dir = FolderDir.open(root, path)) {
            List<String> names = dir.list();
            for (String name : names) {
                if (!PathValidator.isTempName(name)) return false;
            }
            for (String t : names) dir.delete(t);
            try {
                parent.delete(FolderDir.nameOf(path));
            } catch (java.nio.file.DirectoryNotEmptyException raced) {
                return false; // something was put inside meanwhile
            }
            return true;
        } catch (java.nio.file.NoSuchFileException | SymlinkInPathException gone) {
            // gone, or a symlink in its place: no directory of the folder is there (the link is not ours to remove)
            return true;
        }
    }

    /**
     * Renames a verified temp file over {@code target}, unless what is there may not be replaced:
     * a local edit not committed yet ({@code stillOurs} says no) or a directory.
     */
    static void place(FolderDir dir, String tmpName, String name, String path, Predicate<FileStat> stillOurs) throws IOException {
        FileStat onDisk = FileStat.read(dir, name);
        if (onDisk != null && !stillOurs.test(onDisk)) throw new LocalEditInTheWay(path);
        if (onDisk != null && onDisk.kind() == FileStat.Kind.DIR) throw new IOException("a directory is in the way of " + path);
        dir.rename(tmpName, dir, name);
    }

    /** Gives back the disk space of the files kept in the attic (the disk runs short). */
    void freeAttic() {
        attic.clear();
    }

    @Override
    public void close() {
        committer.close();
        directories.close();
        attic.close();
    }
}
