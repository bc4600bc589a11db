package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Op;
import io.pickbox.sync.LocalTable.Local;
import io.pickbox.sync.SyncAction.ApplyMeta;
import io.pickbox.sync.SyncAction.DeleteLocalFile;
import io.pickbox.sync.SyncAction.ForgetRow;
import io.pickbox.sync.SyncAction.Materialize;
import io.pickbox.sync.SyncAction.Nothing;
import io.pickbox.sync.SyncAction.Problem;
import io.pickbox.sync.SyncAction.Propose;
import io.pickbox.sync.SyncAction.ProposeTreeDelete;
import io.pickbox.sync.SyncAction.ReadFile;
import io.pickbox.sync.SyncAction.RecordRow;
import io.pickbox.sync.SyncAction.RemoveDirectory;
import io.pickbox.sync.SyncAction.Retry;
import io.pickbox.sync.SyncAction.NotReplicated;
import io.pickbox.sync.SyncAction.StayBlocked;

/**
 * The three-tree comparison for one path: from what is on disk, what this node last synced (its
 * local-table row) and what is committed (its index entry), what to do. Pure: no I/O, no state;
 * {@link Reconciler} reads the trees and carries the answer out.
 *
 * <p>Disk differing from the row is a local edit, to be proposed; the index differing from the row
 * is a remote change, to be written. Both at once: the local edit is proposed with its base, and
 * apply decides (a conflict copy if the cluster moved on).
 */
final class Reconciliation {

    private static final SyncAction NOTHING = new Nothing();

    private final String nodeId;
    private final long quietMillis;

    /**
     * @param nodeId      the origin of the ops proposed
     * @param quietMillis how long a file still being written is left alone before it is read again
     */
    Reconciliation(String nodeId, long quietMillis) {
        this.nodeId = nodeId;
        this.quietMillis = quietMillis;
    }

    /**
     * What to do for {@code path}.
     *
     * @param disk        its stat now, null when absent
     * @param local       this node's local-table row, null when none
     * @param committed   its index entry, null when none
     * @param blocked     set when the cluster refused this node's last change to it
     * @param holdDeletes whether the mass-delete guard holds deletions of synced files
     */
    SyncAction decide(String path, FileStat disk, Local local, Entry committed, SyncEngine.Blocked blocked,
                      boolean holdDeletes) {
        if (blocked != null && unchangedSince(blocked, disk)) return new StayBlocked();
        if (disk == null) return onAbsent(path, local, committed, holdDeletes);
        SyncAction replaced = replacedHere(path, disk, local, committed, holdDeletes);
        if (replaced != null) return replaced;
        return switch (disk.kind()) {
            case FILE -> onFile(disk, local, committed);
            case DIR -> onDirectory(path, disk, local, committed);
            // A directory this node had synced, replaced by a symlink (to elsewhere, never followed)
            // or a fifo, socket or device, is a local delete of that directory; what replaced it is
            // never replicated.
            case SYMLINK, OTHER -> local != null && local.stat() != null && local.stat().kind() == FileStat.Kind.DIR
                    ? onAbsent(path, local, committed, holdDeletes) : new NotReplicated(disk.kind());
        };
    }

    private static boolean unchangedSince(SyncEngine.Blocked b, FileStat disk) {
        return disk == null ? b.stat() == null : b.stat() != null && disk.sameAs(b.stat());
    }

    /**
     * What this node synced at {@code path}, a file or a directory, replaced here by the other kind
     * ({@code rm -rf build && touch build}): a deletion of what was there first, as if it had only
     * been deleted; looked at again once it is committed, the new file or directory is proposed.
     * (Proposed at once, the new kind met the committed one, and was kept as a conflict copy while
     * this node's folder kept it at the path: the nodes disagreed for good.) Null otherwise.
     */
    private SyncAction replacedHere(String path, FileStat disk, Local local, Entry idx, boolean holdDeletes) {
        if (local == null || idx == null || !stillSynced(local, idx)) return null;
        boolean fileWasDir = disk.kind() == FileStat.Kind.FILE && local.stat().kind() == FileStat.Kind.DIR && idx.isDir();
        boolean dirWasFile = disk.kind() == FileStat.Kind.DIR && local.stat().kind() == FileStat.Kind.FILE && idx.isFile();
        if (!fileWasDir && !dirWasFile) return null;
        return onAbsent(path, local, idx, holdDeletes);
    }

    private SyncAction onAbsent(String path, Local local, Entry idx, boolean holdDeletes) {
        if (local == null) return idx == null ? NOTHING : new Materialize(idx);
        if (idx == null) return new ForgetRow(NOTHING);
        if (stillSynced(local, idx)) {
            if (holdDeletes && local.sha256() != null) return new Problem("deletion held by the mass-delete guard");
            // The user deleted it.
            Op.Delete delete = new Op.Delete(origin(), path, idx.version(), idx.version());
            return idx.isDir() ? new ProposeTreeDelete(delete) : new Propose(delete, null);
        }
        // Deleted here, changed elsewhere: the change wins. The row stays until it is written: when
        // the file is gone because its directory was renamed here, the row moves with the directory
        // and tells the copy there for the stale one it is, not an edit.
        return new Materialize(idx);
    }

    private static SyncAction onFile(FileStat disk, Local local, Entry idx) {
        boolean unchanged = local != null && local.sha256() != null && disk.sameAs(local.stat());
        if (!unchanged) return new ReadFile();
        // Deleted elsewhere, untouched here.
        if (idx == null) return new DeleteLocalFile(local.stat(), NOTHING);
        if (idx.version() == local.version()) return NOTHING;
        if (idx.isFile() && idx.sha256().equals(local.sha256())) {
            if (idx.mode() != disk.mode() || idx.mtime() != disk.mtimeMillis()) return new ApplyMeta(idx);
            return new RecordRow(new Local(idx.version(), idx.sha256(), disk), NOTHING);
        }
        if (idx.isDir()) return new DeleteLocalFile(local.stat(), new Retry(0));
        return new Materialize(idx);
    }

    private SyncAction onDirectory(String path, FileStat disk, Local local, Entry idx) {
        if (idx != null && idx.isDir()) {
            if (directoryBits(idx.mode()) != directoryBits(disk.mode()) && disk.mode() != 0) {
                return onDirectoryMode(path, disk, local, idx);
            }
            if (local == null || local.version() != idx.version() || local.stat().kind() != FileStat.Kind.DIR) {
                return new RecordRow(new Local(idx.version(), null, disk), NOTHING);
            }
            return NOTHING;
        }
        if (idx == null && local != null && local.stat().kind() == FileStat.Kind.DIR) return new RemoveDirectory();
        if (idx == null) return new Propose(new Op.Mkdir(origin(), path, disk.mode(), disk.mtimeMillis()), null);
        return new Problem("a directory is in the way of the committed file " + path);
    }

    /**
     * A directory whose permission bits are not the committed ones (a directory made private, 700,
     * stays private everywhere). Changed here: when this node holds the committed version (a
     * change from elsewhere would have a newer one), or its bits moved since its row, or this node
     * committed it without a row here yet (made as the parent of a file it proposed first, it got
     * a default mode); the change is proposed (its mtime is not: a directory's changes with every
     * name made in it). Else the change is from elsewhere, or the directory was never synced here:
     * the committed bits are applied.
     */
    private SyncAction onDirectoryMode(String path, FileStat disk, Local local, Entry idx) {
        boolean synced = local != null && local.stat().kind() == FileStat.Kind.DIR;
        boolean changedHere = synced
                ? local.version() == idx.version() || directoryBits(local.stat().mode()) != directoryBits(disk.mode())
                : local == null && nodeId.equals(idx.origin());
        if (changedHere) {
            Op.Meta meta = new Op.Meta(origin(), path, disk.mode(), idx.mtime(), idx.version());
            return new RecordRow(new Local(idx.version(), null, disk), new Propose(meta, null));
        }
        return new ApplyMeta(idx);
    }

    /**
     * What to do with a file read after {@link SyncAction.ReadFile}: {@code read} is its stable
     * content (null: it changed while read), {@code committed} the index entry as it is now.
     */
    SyncAction afterRead(String path, Uploader.Snapshot read, Local local, Entry committed) {
        // Still being written: look again once the writer paused (its close comes sooner, as an event).
        if (read == null) return new Retry(quietMillis);
        if (committed != null && committed.isFile() && committed.sha256().equals(read.sha256())) {
            SyncAction meta = metaIfChanged(path, committed, read.stat());
            return new RecordRow(new Local(committed.version(), read.sha256(), rowStat(read.stat(), meta)), meta);
        }
        if (local != null && read.sha256().equals(local.sha256())) {
            // Same content as last synced, only the stat moved: take note, compare again.
            SyncAction then = committed != null && committed.version() == local.version()
                    ? metaIfChanged(path, committed, read.stat()) : new Retry(0);
            return new RecordRow(new Local(local.version(), local.sha256(), rowStat(read.stat(), then)), then);
        }
        FileStat st = read.stat();
        Op.Put put = new Op.Put(origin(), path, st.size(), read.sha256(), read.chunks(), st.mode(), st.mtimeMillis(),
                baseOf(local, committed), read.inlineData() != null);
        return new Propose(put, read);
    }

    /**
     * The stat to record for a file read as {@code read}, {@code then} to follow. While a change of
     * its metadata is proposed and not yet committed, a stat no disk matches (no ctime is
     * {@link Long#MIN_VALUE}): a node stopped before the commit (or whose proposal failed) must
     * still see the file as changed when it looks again, or the chmod would stay here alone. The
     * commit records the real stat.
     */
    static FileStat rowStat(FileStat read, SyncAction then) {
        if (!(then instanceof Propose)) return read;
        return new FileStat(read.kind(), read.size(), read.mtimeMillis(), read.inode(), read.mode(), Long.MIN_VALUE);
    }

    private SyncAction metaIfChanged(String path, Entry idx, FileStat disk) {
        if (samePermissions(idx, disk) && idx.mtime() == disk.mtimeMillis()) return NOTHING;
        return new Propose(new Op.Meta(origin(), path, disk.mode(), disk.mtimeMillis(), idx.version()), null);
    }

    /**
     * The permission bits of a directory that are replicated: the group's and others' (who may
     * look in). Its owner always may: a node must be able to write the files in it, whatever mode a
     * user gave it elsewhere (a read-only tree, as Go's module cache makes).
     */
    static int directoryBits(int mode) {
        return (mode | 0700) & 0777;
    }

    /**
     * The nine permission bits a materialization sets, so that a chmod that keeps the executable bit
     * (a file made private, 600) still reaches the other nodes. Where the file system reports no
     * permission bits (mode 0) only the executable bit can be told, as "not executable".
     */
    private static boolean samePermissions(Entry idx, FileStat disk) {
        if (disk.mode() == 0) return !idx.executable();
        return (idx.mode() & 0777) == (disk.mode() & 0777);
    }

    /**
     * A rename seen by the watcher, as one op: when {@code moved} (the stat at {@code to}) is the
     * same file or a directory, and {@code from} is what this node last synced, or a file moved
     * untouched. Null otherwise: both paths are then compared one by one.
     *
     * <p>A file moved untouched carries whatever is committed at its old path, an edit made
     * elsewhere that this node has not written yet included: the edit follows the file to its new
     * name, which then gets it written as any edit from elsewhere. (Compared one by one, the old
     * name would get the edit back and the new one the stale copy, as a new file.)
     */
    Op.Rename rename(String from, String to, Local local, Entry committed, FileStat moved, Local localTo, Entry committedTo) {
        if (local == null || committed == null || moved == null || moved.kind() != local.stat().kind()
                || (moved.kind() == FileStat.Kind.FILE && moved.inode() != local.stat().inode())) {
            return null;
        }
        boolean carried = stillSynced(local, committed) || (committed.isFile() && movedRow(local, moved) != null);
        if (!carried) return null;
        return new Op.Rename(origin(), from, to, committed.version(), baseOf(localTo, committedTo));
    }

    /**
     * The row a file renamed here carries to its new path: its stat as seen after the rename, when
     * it is the file the row describes, untouched (the same inode, size, mtime and mode; a rename
     * changes only its ctime), so that it is not read and hashed again. Null otherwise (and for
     * directories, whose rows hold no content): the row moves as it was, and a stat that no longer
     * matches has the file read again.
     */
    static Local movedRow(Local local, FileStat moved) {
        if (local == null || local.sha256() == null || moved == null || moved.kind() != FileStat.Kind.FILE) return null;
        FileStat was = local.stat();
        if (was.kind() != FileStat.Kind.FILE || moved.inode() != was.inode() || moved.size() != was.size()
                || moved.mtimeMillis() != was.mtimeMillis() || moved.mode() != was.mode()) {
            return null;
        }
        return new Local(local.version(), local.sha256(), moved);
    }

    /**
     * Whether the committed entry is still what this node last synced. Usually the versions say
     * so; but a rename commits the moved entries under new versions while the bytes stay the same
     * (git's lock file: committed empty, then written and renamed over the index at once).
     */
    static boolean stillSynced(Local local, Entry idx) {
        if (idx.version() == local.version()) return true;
        if (idx.isDir()) return local.sha256() == null && local.stat().kind() == FileStat.Kind.DIR;
        return local.sha256() != null && local.sha256().equals(idx.sha256());
    }

    /** The committed version a change made here builds on (0: nothing this node synced). */
    static long baseOf(Local local, Entry idx) {
        if (local == null) return 0;
        return idx != null && stillSynced(local, idx) ? idx.version() : local.version();
    }

    /** The origin of a new op; its sequence number is taken when it is sent ({@link Uploader#submit}). */
    private Op.Origin origin() {
        return new Op.Origin(nodeId, 0);
    }
}
