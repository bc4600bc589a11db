package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

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

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three-tree comparison, one row per case it tells apart: what is on disk, this node's
 * local-table row and the committed entry (plus the blocked mark and the mass-delete hold) give the
 * action. Then what a file read gives, and when a rename seen here is one op.
 */
class ReconciliationTest {

    private static final String NODE = "n1";
    private static final long QUIET_MILLIS = 100;
    private static final String P = "docs/a.txt";

    private final Reconciliation reconciliation = new Reconciliation(NODE, QUIET_MILLIS);

    // ------------------------------------------------------------ vocabulary

    /** The file as this node last synced it (the row's stat). */
    private static final FileStat SYNCED = fileStat(100, 1_000, 11, 0644);
    /** The same file after a local edit. */
    private static final FileStat EDITED = fileStat(120, 2_000, 11, 0644);
    private static final FileStat DIRECTORY = new FileStat(FileStat.Kind.DIR, 4096, 3_000, 21, 0755, 3_000_000_000L);
    /** The directory made private here, or by the committed mode. */
    private static final FileStat PRIVATE_DIRECTORY = directory(0700);
    private static final FileStat SYMLINK = new FileStat(FileStat.Kind.SYMLINK, 10, 4_000, 31, 0777, 4_000_000_000L);
    private static final FileStat FIFO = new FileStat(FileStat.Kind.OTHER, 0, 4_000, 32, 0644, 4_000_000_000L);
    private static final FileStat ABSENT = null;

    private static final Local NO_ROW = null;
    /** Synced version 5, content "aaa". */
    private static final Local ROW_V5 = new Local(5, "aaa", SYNCED);
    private static final Local DIR_ROW_V5 = new Local(5, null, DIRECTORY);

    private static final Entry NOT_COMMITTED = null;
    /** Committed version 5 of the content this node synced, with the synced file's mode and mtime. */
    private static final Entry FILE_V5 = fileEntry(5, "aaa", 0644, 1_000);
    /** Version 7, same content and metadata (a rename or a retried PUT committed it again). */
    private static final Entry FILE_V7_SAME = fileEntry(7, "aaa", 0644, 1_000);
    private static final Entry FILE_V7_SAME_OTHER_MODE = fileEntry(7, "aaa", 0600, 1_000);
    private static final Entry FILE_V7_SAME_OTHER_MTIME = fileEntry(7, "aaa", 0644, 9_000);
    /** Version 7 with other content: changed elsewhere. */
    private static final Entry FILE_V7_OTHER = fileEntry(7, "bbb", 0644, 5_000);
    private static final Entry DIR_V5 = Entry.dir(5, 0755, 3_000, "n2");
    private static final Entry DIR_V7 = Entry.dir(7, 0755, 3_000, "n2");
    /** Version 7: made private elsewhere. */
    private static final Entry PRIVATE_DIR_V7 = Entry.dir(7, 0700, 3_000, "n2");

    private static final SyncEngine.Blocked NOT_BLOCKED = null;
    private static final boolean HOLD = true, NO_HOLD = false;

    private static FileStat fileStat(long size, long mtime, long inode, int mode) {
        return new FileStat(FileStat.Kind.FILE, size, mtime, inode, mode, mtime * 1_000_000);
    }

    private static FileStat directory(int mode) {
        return new FileStat(FileStat.Kind.DIR, 4096, 3_000, 21, mode, 3_000_000_000L);
    }

    private static Entry fileEntry(long version, String sha, int mode, long mtime) {
        return new Entry(Entry.Kind.FILE, version, 100, sha, List.of(sha), mode, mtime, "n2", null);
    }

    private static SyncEngine.Blocked blockedAt(FileStat stat) {
        return new SyncEngine.Blocked("a case collision", stat);
    }

    private static Op.Origin origin() {
        return new Op.Origin(NODE, 0);
    }

    private static SyncAction nothing() {
        return new Nothing();
    }

    private static SyncAction proposeDelete(long base, long seen) {
        return new Propose(new Op.Delete(origin(), P, base, seen), null);
    }

    private static SyncAction proposeMkdir(FileStat disk) {
        return new Propose(new Op.Mkdir(origin(), P, disk.mode(), disk.mtimeMillis()), null);
    }

    private static SyncAction proposeMeta(FileStat disk, long base) {
        return new Propose(new Op.Meta(origin(), P, disk.mode(), disk.mtimeMillis(), base), null);
    }

    // ------------------------------------------------------------ decide: disk × row × committed

    static Stream<Arguments> decide() {
        return Stream.of(
                // ---- blocked: the cluster refused this node's change
                row("blocked, file unchanged since: left alone",
                        SYNCED, ROW_V5, FILE_V5, blockedAt(SYNCED), NO_HOLD, new StayBlocked()),
                row("blocked while absent, still absent: left alone",
                        ABSENT, NO_ROW, NOT_COMMITTED, blockedAt(null), NO_HOLD, new StayBlocked()),
                row("blocked, file changed since: compared afresh (read)",
                        EDITED, ROW_V5, FILE_V5, blockedAt(SYNCED), NO_HOLD, new ReadFile()),
                row("blocked, file deleted since: compared afresh (delete proposed)",
                        ABSENT, ROW_V5, FILE_V5, blockedAt(SYNCED), NO_HOLD, proposeDelete(5, 5)),
                row("blocked while absent, now present: compared afresh (read)",
                        EDITED, NO_ROW, NOT_COMMITTED, blockedAt(null), NO_HOLD, new ReadFile()),

                // ---- absent on disk
                row("absent, no row, not committed: nothing to do",
                        ABSENT, NO_ROW, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, nothing()),
                row("absent, no row, committed file: write it",
                        ABSENT, NO_ROW, FILE_V5, NOT_BLOCKED, NO_HOLD, new Materialize(FILE_V5)),
                row("absent, no row, committed directory: make it",
                        ABSENT, NO_ROW, DIR_V5, NOT_BLOCKED, NO_HOLD, new Materialize(DIR_V5)),
                row("absent, row, not committed (deleted everywhere): forget the row",
                        ABSENT, ROW_V5, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new ForgetRow(nothing())),
                row("absent, row synced at the committed version: the user deleted it, propose the delete",
                        ABSENT, ROW_V5, FILE_V5, NOT_BLOCKED, NO_HOLD, proposeDelete(5, 5)),
                row("absent, row synced, committed again with the same content: delete based on the committed version",
                        ABSENT, ROW_V5, FILE_V7_SAME, NOT_BLOCKED, NO_HOLD, proposeDelete(7, 7)),
                row("absent, row synced, mass-delete guard holding: a problem, nothing proposed",
                        ABSENT, ROW_V5, FILE_V5, NOT_BLOCKED, HOLD, new Problem("deletion held by the mass-delete guard")),
                row("absent, directory row synced: propose deleting the tree",
                        ABSENT, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD,
                        new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))),
                row("absent, directory row, committed directory of another version: still synced, propose deleting the tree",
                        ABSENT, DIR_ROW_V5, DIR_V7, NOT_BLOCKED, NO_HOLD,
                        new ProposeTreeDelete(new Op.Delete(origin(), P, 7, 7))),
                row("absent, directory row, guard holding: directories are not held",
                        ABSENT, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, HOLD,
                        new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))),
                row("absent, row stale (changed elsewhere): the change wins, write it (the row stays until then)",
                        ABSENT, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new Materialize(FILE_V7_OTHER)),
                row("absent, row stale (changed elsewhere), guard holding: the change still wins",
                        ABSENT, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, HOLD, new Materialize(FILE_V7_OTHER)),
                row("absent, directory row, now committed as a file: write the file",
                        ABSENT, DIR_ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new Materialize(FILE_V7_OTHER)),
                row("absent, file row, now committed as a directory: make the directory",
                        ABSENT, ROW_V5, DIR_V7, NOT_BLOCKED, NO_HOLD, new Materialize(DIR_V7)),

                // ---- a file on disk
                row("file, no row: read it (new here)",
                        EDITED, NO_ROW, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new ReadFile()),
                row("file, no row, committed: read it (its content decides)",
                        SYNCED, NO_ROW, FILE_V5, NOT_BLOCKED, NO_HOLD, new ReadFile()),
                row("file, stat differs from the row: read it (edited here)",
                        EDITED, ROW_V5, FILE_V5, NOT_BLOCKED, NO_HOLD, new ReadFile()),
                row("file, edited here and changed elsewhere: read it (proposed with its base)",
                        EDITED, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new ReadFile()),
                row("file where a synced directory was (replaced here): the directory's deletion first",
                        SYNCED, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD, new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))),
                row("file where a synced directory was, the mass-delete guard on: the tree's deletion is proposed (the guard counts files)",
                        SYNCED, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, HOLD, new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))),
                row("file where a directory row was, the directory committed since as a file elsewhere: read it",
                        SYNCED, DIR_ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new ReadFile()),
                row("file as synced, not committed (deleted elsewhere): delete it if still untouched, forget the row",
                        SYNCED, ROW_V5, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new DeleteLocalFile(SYNCED, nothing())),
                row("file as synced, committed version the row has: in sync",
                        SYNCED, ROW_V5, FILE_V5, NOT_BLOCKED, NO_HOLD, nothing()),
                row("file as synced, committed again with the same content and metadata: record the new version",
                        SYNCED, ROW_V5, FILE_V7_SAME, NOT_BLOCKED, NO_HOLD, new RecordRow(new Local(7, "aaa", SYNCED), nothing())),
                row("file as synced, committed again with another mode: apply the metadata",
                        SYNCED, ROW_V5, FILE_V7_SAME_OTHER_MODE, NOT_BLOCKED, NO_HOLD, new ApplyMeta(FILE_V7_SAME_OTHER_MODE)),
                row("file as synced, committed again with another mtime: apply the metadata",
                        SYNCED, ROW_V5, FILE_V7_SAME_OTHER_MTIME, NOT_BLOCKED, NO_HOLD, new ApplyMeta(FILE_V7_SAME_OTHER_MTIME)),
                row("file as synced, now committed as a directory: delete the file if untouched, then look again",
                        SYNCED, ROW_V5, DIR_V7, NOT_BLOCKED, NO_HOLD, new DeleteLocalFile(SYNCED, new Retry(0))),
                row("file as synced, changed elsewhere: write the committed version",
                        SYNCED, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new Materialize(FILE_V7_OTHER)),
                row("file as synced, guard holding: no deletion involved, write the committed version",
                        SYNCED, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, HOLD, new Materialize(FILE_V7_OTHER)),

                // ---- a directory on disk
                row("directory, committed directory, row of that version: in sync",
                        DIRECTORY, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD, nothing()),
                row("directory, committed directory, no row: record it",
                        DIRECTORY, NO_ROW, DIR_V5, NOT_BLOCKED, NO_HOLD, new RecordRow(new Local(5, null, DIRECTORY), nothing())),
                row("directory, committed directory, row of another version: record the committed one",
                        DIRECTORY, DIR_ROW_V5, DIR_V7, NOT_BLOCKED, NO_HOLD, new RecordRow(new Local(7, null, DIRECTORY), nothing())),
                row("directory, committed directory, a file row of that version: record the directory",
                        DIRECTORY, ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD, new RecordRow(new Local(5, null, DIRECTORY), nothing())),
                row("directory made private here: its mode proposed on the committed version, its mtime not",
                        PRIVATE_DIRECTORY, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD,
                        new RecordRow(new Local(5, null, PRIVATE_DIRECTORY), new Propose(new Op.Meta(origin(), P, 0700, 3_000, 5), null))),
                row("directory made private elsewhere, unchanged here: the committed mode applied",
                        DIRECTORY, DIR_ROW_V5, PRIVATE_DIR_V7, NOT_BLOCKED, NO_HOLD, new ApplyMeta(PRIVATE_DIR_V7)),
                row("directory of the committed version, its mode not the committed one: changed here, proposed",
                        DIRECTORY, new Local(7, null, DIRECTORY), PRIVATE_DIR_V7, NOT_BLOCKED, NO_HOLD,
                        new RecordRow(new Local(7, null, DIRECTORY), new Propose(new Op.Meta(origin(), P, 0755, 3_000, 7), null))),
                row("directory made private elsewhere and given another mode here: the change here proposed on top",
                        directory(0750), DIR_ROW_V5, PRIVATE_DIR_V7, NOT_BLOCKED, NO_HOLD,
                        new RecordRow(new Local(7, null, directory(0750)), new Propose(new Op.Meta(origin(), P, 0750, 3_000, 7), null))),
                row("directory never synced here, not of the committed mode: the committed mode applied",
                        DIRECTORY, NO_ROW, PRIVATE_DIR_V7, NOT_BLOCKED, NO_HOLD, new ApplyMeta(PRIVATE_DIR_V7)),
                row("directory made here, committed by this node with a default mode (as a file's parent), no row yet: its mode proposed",
                        PRIVATE_DIRECTORY, NO_ROW, Entry.dir(7, 0755, 0, "n1"), NOT_BLOCKED, NO_HOLD,
                        new RecordRow(new Local(7, null, PRIVATE_DIRECTORY), new Propose(new Op.Meta(origin(), P, 0700, 0, 7), null))),
                row("directory made read-only here: its owner's bits are not replicated",
                        directory(0555), DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD, nothing()),
                row("directory whose mode is not known here: nothing",
                        directory(0), DIR_ROW_V5, PRIVATE_DIR_V7, NOT_BLOCKED, NO_HOLD, new RecordRow(new Local(7, null, directory(0)), nothing())),
                row("directory, directory row, not committed (deleted elsewhere): remove it",
                        DIRECTORY, DIR_ROW_V5, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new RemoveDirectory()),
                row("directory, no row, not committed: propose it",
                        DIRECTORY, NO_ROW, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, proposeMkdir(DIRECTORY)),
                row("directory where a file row was, not committed: propose it",
                        DIRECTORY, ROW_V5, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, proposeMkdir(DIRECTORY)),
                row("directory where the synced file was (replaced here): the file's deletion first",
                        DIRECTORY, ROW_V5, FILE_V5, NOT_BLOCKED, NO_HOLD, proposeDelete(5, 5)),
                row("directory where the synced file was, the mass-delete guard on: held",
                        DIRECTORY, ROW_V5, FILE_V5, NOT_BLOCKED, HOLD, new Problem("deletion held by the mass-delete guard")),
                row("directory where the file was, the file changed elsewhere since: a problem, the directory is in the way",
                        DIRECTORY, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD,
                        new Problem("a directory is in the way of the committed file " + P)),
                row("directory, no row, committed file: a problem, the directory is in the way",
                        DIRECTORY, NO_ROW, FILE_V5, NOT_BLOCKED, NO_HOLD,
                        new Problem("a directory is in the way of the committed file " + P)),

                // ---- a symlink on disk
                row("symlink, nothing known: skipped",
                        SYMLINK, NO_ROW, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new NotReplicated(FileStat.Kind.SYMLINK)),
                row("symlink where a synced file was: skipped (never followed nor replaced)",
                        SYMLINK, ROW_V5, FILE_V5, NOT_BLOCKED, NO_HOLD, new NotReplicated(FileStat.Kind.SYMLINK)),
                row("symlink where a synced directory was: the directory was deleted here",
                        SYMLINK, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD,
                        new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))),
                row("symlink where a synced directory was, deleted elsewhere too: the row goes, the link stays",
                        SYMLINK, DIR_ROW_V5, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new ForgetRow(new Nothing())),

                // ---- a fifo, socket or device on disk: as a symlink, and never opened
                row("fifo, nothing known: skipped",
                        FIFO, NO_ROW, NOT_COMMITTED, NOT_BLOCKED, NO_HOLD, new NotReplicated(FileStat.Kind.OTHER)),
                row("fifo where a synced file was, changed elsewhere: skipped, not read",
                        FIFO, ROW_V5, FILE_V7_OTHER, NOT_BLOCKED, NO_HOLD, new NotReplicated(FileStat.Kind.OTHER)),
                row("fifo where a synced directory was: the directory was deleted here",
                        FIFO, DIR_ROW_V5, DIR_V5, NOT_BLOCKED, NO_HOLD,
                        new ProposeTreeDelete(new Op.Delete(origin(), P, 5, 5))));
    }

    private static Arguments row(String spec, FileStat disk, Local local, Entry committed, SyncEngine.Blocked blocked,
                                 boolean holdDeletes, SyncAction expected) {
        return Arguments.of(spec, disk, local, committed, blocked, holdDeletes, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void decide(String spec, FileStat disk, Local local, Entry committed, SyncEngine.Blocked blocked,
                boolean holdDeletes, SyncAction expected) {
        assertThat(reconciliation.decide(P, disk, local, committed, blocked, holdDeletes)).isEqualTo(expected);
    }

    // ------------------------------------------------------------ afterRead: the file's content × row × committed

    private static final ByteBuffer BYTES = ByteBuffer.wrap(new byte[] {1, 2, 3});
    /** Read back with the content this node synced, under a new stat. */
    private static final Uploader.Snapshot READ_SAME = new Uploader.Snapshot(EDITED, "aaa", List.of("aaa"), BYTES);
    /** Read with new content. */
    private static final Uploader.Snapshot READ_NEW = new Uploader.Snapshot(EDITED, "ccc", List.of("ccc"), BYTES);
    /** Large new content: its chunks went ahead, nothing inline. */
    private static final Uploader.Snapshot READ_NEW_LARGE = new Uploader.Snapshot(EDITED, "ddd", List.of("c1", "c2"), null);
    /** Read with the content, executable bit and mtime of FILE_V7_OTHER. */
    private static final FileStat AS_COMMITTED = fileStat(120, 5_000, 11, 0644);
    private static final Uploader.Snapshot READ_AS_COMMITTED = new Uploader.Snapshot(AS_COMMITTED, "bbb", List.of("bbb"), BYTES);
    private static final FileStat EDITED_EXECUTABLE = fileStat(120, 5_000, 11, 0755);
    private static final FileStat EDITED_OTHER_MODE = fileStat(120, 5_000, 11, 0600);
    private static final FileStat NO_MODE = fileStat(120, 5_000, 11, 0);

    private static Propose proposePut(Uploader.Snapshot read, long base) {
        FileStat st = read.stat();
        return new Propose(new Op.Put(origin(), P, st.size(), read.sha256(), read.chunks(), st.mode(), st.mtimeMillis(),
                base, read.inlineData() != null), read);
    }

    static Stream<Arguments> afterRead() {
        return Stream.of(
                row("changed while read: look again once quiet",
                        null, ROW_V5, FILE_V5, new Retry(QUIET_MILLIS)),
                row("committed content, same executable bit and mtime: record the committed version",
                        READ_AS_COMMITTED, ROW_V5, FILE_V7_OTHER, new RecordRow(new Local(7, "bbb", AS_COMMITTED), nothing())),
                row("committed content, no row yet (joined with the file in place): record it",
                        READ_AS_COMMITTED, NO_ROW, FILE_V7_OTHER, new RecordRow(new Local(7, "bbb", AS_COMMITTED), nothing())),
                row("committed content, mtime differs: record it and propose the metadata",
                        READ_SAME, ROW_V5, FILE_V5, new RecordRow(new Local(5, "aaa", unconfirmed(EDITED)), proposeMeta(EDITED, 5))),
                row("committed content, made executable: record it and propose the metadata",
                        new Uploader.Snapshot(EDITED_EXECUTABLE, "bbb", List.of("bbb"), BYTES), ROW_V5, FILE_V7_OTHER,
                        new RecordRow(new Local(7, "bbb", unconfirmed(EDITED_EXECUTABLE)), proposeMeta(EDITED_EXECUTABLE, 7))),
                row("committed content, other permission bits (chmod 600), same executable bit and mtime: propose the metadata",
                        new Uploader.Snapshot(EDITED_OTHER_MODE, "bbb", List.of("bbb"), BYTES), ROW_V5, FILE_V7_OTHER,
                        new RecordRow(new Local(7, "bbb", unconfirmed(EDITED_OTHER_MODE)), proposeMeta(EDITED_OTHER_MODE, 7))),
                row("committed content, a file system reporting no permission bits: nothing to propose",
                        new Uploader.Snapshot(NO_MODE, "bbb", List.of("bbb"), BYTES), ROW_V5, FILE_V7_OTHER,
                        new RecordRow(new Local(7, "bbb", NO_MODE), nothing())),
                row("content as last synced, not committed any more: record the stat, look again",
                        READ_SAME, ROW_V5, NOT_COMMITTED, new RecordRow(new Local(5, "aaa", EDITED), new Retry(0))),
                row("content as last synced, changed elsewhere: record the stat, look again",
                        READ_SAME, ROW_V5, FILE_V7_OTHER, new RecordRow(new Local(5, "aaa", EDITED), new Retry(0))),
                row("content as last synced, committed as a directory: record the stat, look again",
                        READ_SAME, ROW_V5, DIR_V7, new RecordRow(new Local(5, "aaa", EDITED), new Retry(0))),
                row("content as last synced, the row's version committed with other content: record the stat, propose the metadata",
                        READ_SAME, ROW_V5, fileEntry(5, "zzz", 0644, 1_000),
                        new RecordRow(new Local(5, "aaa", unconfirmed(EDITED)), proposeMeta(EDITED, 5))),
                row("new content, nothing known: propose it on no base",
                        READ_NEW, NO_ROW, NOT_COMMITTED, proposePut(READ_NEW, 0)),
                row("new content, path committed but never synced here: propose it on no base (a conflict if it differs)",
                        READ_NEW, NO_ROW, FILE_V5, proposePut(READ_NEW, 0)),
                row("new content, row synced at the committed version: propose it on that version",
                        READ_NEW, ROW_V5, FILE_V5, proposePut(READ_NEW, 5)),
                row("new content, row synced, committed again with the same content: propose it on the committed version",
                        READ_NEW, ROW_V5, FILE_V7_SAME, proposePut(READ_NEW, 7)),
                row("new content, changed elsewhere too: propose it on the row's version (apply makes the conflict copy)",
                        READ_NEW, ROW_V5, FILE_V7_OTHER, proposePut(READ_NEW, 5)),
                row("new content, deleted elsewhere: propose it on the row's version",
                        READ_NEW, ROW_V5, NOT_COMMITTED, proposePut(READ_NEW, 5)),
                row("new large content: proposed without inline data",
                        READ_NEW_LARGE, ROW_V5, FILE_V5, proposePut(READ_NEW_LARGE, 5)));
    }

    /** A row recorded while a metadata change is in flight: a stop before its commit must not hide the change. */
    private static FileStat unconfirmed(FileStat read) {
        FileStat st = Reconciliation.rowStat(read, proposeMeta(read, 1));
        assertThat(st.sameAs(read)).as("matches the disk").isFalse();
        return st;
    }

    private static Arguments row(String spec, Uploader.Snapshot read, Local local, Entry committed, SyncAction expected) {
        return Arguments.of(spec, read, local, committed, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void afterRead(String spec, Uploader.Snapshot read, Local local, Entry committed, SyncAction expected) {
        assertThat(reconciliation.afterRead(P, read, local, committed)).isEqualTo(expected);
    }

    // ------------------------------------------------------------ rename: one op, or both paths compared

    private static final String TO = "docs/b.txt";
    private static final FileStat MOVED = fileStat(100, 1_000, 11, 0644);
    private static final FileStat MOVED_OTHER_INODE = fileStat(100, 1_000, 12, 0644);
    private static final Local TO_ROW_V3 = new Local(3, "eee", fileStat(50, 900, 13, 0644));
    private static final Entry TO_FILE_V3 = fileEntry(3, "eee", 0644, 900);

    static Stream<Arguments> rename() {
        Op.Rename fromV5 = new Op.Rename(origin(), P, TO, 5, 0);
        return Stream.of(
                move("synced file moved to a new path: one op on its version, no base at the target",
                        ROW_V5, FILE_V5, MOVED, NO_ROW, NOT_COMMITTED, fromV5),
                move("synced file moved, its stat changed but not its inode: one op",
                        ROW_V5, FILE_V5, fileStat(100, 1_000, 11, 0600), NO_ROW, NOT_COMMITTED, fromV5),
                move("synced file moved over a synced file: the target's version is the base there",
                        ROW_V5, FILE_V5, MOVED, TO_ROW_V3, TO_FILE_V3, new Op.Rename(origin(), P, TO, 5, 3)),
                move("synced file moved over a file changed elsewhere: the target's row version is the base",
                        ROW_V5, FILE_V5, MOVED, TO_ROW_V3, fileEntry(8, "fff", 0644, 900), new Op.Rename(origin(), P, TO, 5, 3)),
                move("synced file, committed again with the same content: one op on the committed version",
                        ROW_V5, FILE_V7_SAME, MOVED, NO_ROW, NOT_COMMITTED, new Op.Rename(origin(), P, TO, 7, 0)),
                move("synced directory moved (inode not compared): one op",
                        DIR_ROW_V5, DIR_V5, new FileStat(FileStat.Kind.DIR, 4096, 3_000, 99, 0755, 1), NO_ROW, NOT_COMMITTED, fromV5),
                move("never synced here: compared path by path",
                        NO_ROW, FILE_V5, MOVED, NO_ROW, NOT_COMMITTED, null),
                move("not committed: compared path by path",
                        ROW_V5, NOT_COMMITTED, MOVED, NO_ROW, NOT_COMMITTED, null),
                move("changed elsewhere meanwhile, moved untouched: one op on the committed version, which carries the edit",
                        ROW_V5, FILE_V7_OTHER, MOVED, NO_ROW, NOT_COMMITTED, new Op.Rename(origin(), P, TO, 7, 0)),
                move("changed elsewhere meanwhile, and here (another mode): compared path by path",
                        ROW_V5, FILE_V7_OTHER, fileStat(100, 1_000, 11, 0600), NO_ROW, NOT_COMMITTED, null),
                move("changed elsewhere meanwhile, and here (another size): compared path by path",
                        ROW_V5, FILE_V7_OTHER, fileStat(101, 1_000, 11, 0644), NO_ROW, NOT_COMMITTED, null),
                move("replaced by a directory elsewhere meanwhile: compared path by path",
                        ROW_V5, Entry.dir(7, 0755, 3_000, "n2"), MOVED, NO_ROW, NOT_COMMITTED, null),
                move("gone from the target already: compared path by path",
                        ROW_V5, FILE_V5, ABSENT, NO_ROW, NOT_COMMITTED, null),
                move("a directory where the file went: compared path by path",
                        ROW_V5, FILE_V5, DIRECTORY, NO_ROW, NOT_COMMITTED, null),
                move("another file (another inode) at the target: compared path by path",
                        ROW_V5, FILE_V5, MOVED_OTHER_INODE, NO_ROW, NOT_COMMITTED, null));
    }

    private static Arguments move(String spec, Local local, Entry committed, FileStat moved, Local localTo,
                                    Entry committedTo, Op.Rename expected) {
        return Arguments.of(spec, local, committed, moved, localTo, committedTo, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void rename(String spec, Local local, Entry committed, FileStat moved, Local localTo, Entry committedTo, Op.Rename expected) {
        assertThat(reconciliation.rename(P, TO, local, committed, moved, localTo, committedTo)).isEqualTo(expected);
    }
}
