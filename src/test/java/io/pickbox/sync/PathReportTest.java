package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.sync.LocalTable.Local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code pickbox why} says of a path, from what this node knows of it. */
class PathReportTest {

    private static final FileStat SYNCED = new FileStat(FileStat.Kind.FILE, 100, 1_000, 11, 0644, 1);
    private static final FileStat EDITED = new FileStat(FileStat.Kind.FILE, 120, 2_000, 11, 0644, 2);
    private static final FileStat DIRECTORY = new FileStat(FileStat.Kind.DIR, 0, 3_000, 21, 0755, 3);
    private static final FileStat ABSENT = null;
    private static final Local ROW_V5 = new Local(5, "aaa", SYNCED);
    private static final Local DIR_ROW_V5 = new Local(5, null, DIRECTORY);
    private static final Local NO_ROW = null;
    private static final Entry FILE_V5 = new Entry(Entry.Kind.FILE, 5, 100, "aaa", List.of("aaa"), 0644, 1_000, "n1", null);
    private static final Entry FILE_V7 = new Entry(Entry.Kind.FILE, 7, 100, "bbb", List.of("bbb"), 0644, 1_000, "n2", null);
    private static final Entry DIR_V5 = Entry.dir(5, 0755, 3_000, "n1");
    private static final Entry NOT_COMMITTED = null;
    private static final SyncEngine.Blocked NOT_BLOCKED = null;
    private static final SyncEngine.Blocked BLOCKED = new SyncEngine.Blocked("Readme.md collides with README.md", SYNCED);

    static Stream<Arguments> report() {
        return Stream.of(
                row(BLOCKED, "a problem too", FILE_V5, ROW_V5, SYNCED,
                        "blocked", "the cluster refused this node's change: Readme.md collides with README.md"
                                + " (it is retried when the file changes again)"),
                row(NOT_BLOCKED, "waiting for the cluster: TimeoutException", FILE_V5, ROW_V5, SYNCED,
                        "pending", "waiting for the cluster: TimeoutException"),
                row(NOT_BLOCKED, null, NOT_COMMITTED, NO_ROW, ABSENT,
                        "pending", "not on this node's disk and not committed"),
                row(NOT_BLOCKED, null, NOT_COMMITTED, NO_ROW, EDITED,
                        "pending", "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)"),
                row(NOT_BLOCKED, null, NOT_COMMITTED, ROW_V5, SYNCED,
                        "pending", "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)"),
                row(NOT_BLOCKED, null, FILE_V5, NO_ROW, ABSENT,
                        "pending", "committed version 5 not yet written to this node's folder"),
                row(NOT_BLOCKED, null, FILE_V7, ROW_V5, SYNCED,
                        "pending", "this node's folder has version 5, committed is 7 (being materialized)"),
                row(NOT_BLOCKED, null, FILE_V5, ROW_V5, ABSENT,
                        "pending", "deleted on this node's disk; the delete is being proposed"),
                row(NOT_BLOCKED, null, FILE_V5, ROW_V5, EDITED,
                        "pending", "changed on this node's disk; the local edit is being proposed"),
                row(NOT_BLOCKED, null, FILE_V5, new Local(5, "aaa", null), SYNCED,
                        "pending", "changed on this node's disk; the local edit is being proposed"),
                row(NOT_BLOCKED, null, FILE_V5, ROW_V5, SYNCED, "in sync", null),
                row(NOT_BLOCKED, null, DIR_V5, DIR_ROW_V5, DIRECTORY, "in sync", null),
                row(NOT_BLOCKED, null, DIR_V5, DIR_ROW_V5, ABSENT, "in sync", null));
    }

    private static Arguments row(SyncEngine.Blocked blocked, String problem, Entry committed, Local local, FileStat disk,
                                 String state, String why) {
        return Arguments.of(blocked, problem, committed, local, disk, state, why);
    }

    @ParameterizedTest(name = "[{index}] {5}: {6}")
    @MethodSource
    void report(SyncEngine.Blocked blocked, String problem, Entry committed, Local local, FileStat disk,
                String state, String why) {
        PathReport r = PathReport.of(blocked, problem, committed, local, disk);
        assertThat(r.state()).isEqualTo(state);
        assertThat(r.why()).isEqualTo(why);
        assertThat(r.localVersion()).isEqualTo(local == null ? null : local.version());
        assertThat(r.onDisk()).isEqualTo(disk != null);
    }

    @Test
    void jsonHasTheAdminApisFieldsInItsOrderAndWhyOnlyWithAReason() {
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("state", "pending");
        pending.put("why", "not on this node's disk and not committed");
        pending.put("localVersion", null);
        pending.put("onDisk", false);
        assertThat(PathReport.of(null, null, null, null, null).toJson()).containsExactlyEntriesOf(pending);

        Map<String, Object> inSync = new LinkedHashMap<>();
        inSync.put("state", "in sync");
        inSync.put("localVersion", 5L);
        inSync.put("onDisk", true);
        assertThat(PathReport.of(null, null, FILE_V5, ROW_V5, SYNCED).toJson()).containsExactlyEntriesOf(inSync);
    }

    @Test
    void aPathWaitingForASymlinkToGoIsBlockedWithItsReason() {
        PathReport r = PathReport.of(null, "d is a symlink on this node", true, null, null, null);
        assertThat(r.state()).isEqualTo(PathReport.BLOCKED);
        assertThat(r.why()).isEqualTo("d is a symlink on this node");
        assertThat(PathReport.of(null, "disk full", false, null, null, null).state()).isEqualTo(PathReport.PENDING);
    }
}
