package io.pickbox.admin;

import java.util.List;
import java.util.Map;

/** This node's part of the status report: its copy of the index and the sync work it has in hand. */
public interface LocalState {

    /** Committed entries. */
    int files();

    /** Committed file bytes. */
    long fileBytes();

    /** Ops applied by this process. */
    long appliedOps();

    /** Conflict copies in the index. */
    int conflicts();

    /** Each member's admin address, by node id, as announced to the cluster. */
    Map<String, String> peerAddresses();

    /** Paths waiting to be compared or with a change in flight. */
    int pending();

    /** Files this node read and hashed to compare or propose them, since it started. */
    long filesRead();

    /** The watcher's reports of this node's own renames and deletions, recognised and not compared again. */
    long echoesIgnored();

    /** Large files being sent or received, reported as they are (rendered as JSON). */
    List<?> transfers();

    /** Missing small files being fetched in batches (rendered as JSON: running, files, bytes, filesDone, bytesDone). */
    Object catchUp();

    /** What the last verify scan (a full comparison of folder and index) cost; null before the first. */
    io.pickbox.sync.SyncEngine.ScanCost lastVerifyScan();

    /** Paths whose change the cluster refused, and why (rendered as JSON). */
    Map<String, ?> blocked();

    /** Paths this node cannot sync for now, and why. */
    Map<String, String> problems();

    /**
     * The last mass changes flagged, newest first, each with the command that undoes it (rendered
     * as JSON; see {@link io.pickbox.sync.MassChangeDetector.MassChange#describe}).
     */
    default List<?> massChanges() {
        return List.of();
    }

    /** Names in the folder that cannot be replicated (not UTF-8, a control character, ...), the newest first, and why. */
    default Map<String, String> notReplicated() {
        return Map.of();
    }

    /** Paths whose committed version waits to be written into the folder for disk space or for permission. */
    default io.pickbox.sync.SyncEngine.Stalls stalls() {
        return io.pickbox.sync.SyncEngine.Stalls.NONE;
    }
}
