package io.pickbox.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogOutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

class StaleLogTest {

    private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("4MB");

    @TempDir
    Path current;

    /** Segment files as Ratis writes them (header, entries, preallocated zeros after them). */
    private Path segment(String name, long from, long to) throws IOException {
        Path file = current.resolve(name);
        try (SegmentedRaftLogOutputStream out = new SegmentedRaftLogOutputStream(file.toFile(), false, 8 << 20, 1 << 20,
                ByteBuffer.allocateDirect(64 << 10))) {
            for (long i = from; i <= to; i++) {
                out.write(LogEntryProto.newBuilder().setTerm(1).setIndex(i)
                        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                                .setLogData(ByteString.copyFromUtf8("entry " + i)))
                        .build());
            }
            out.flush();
        }
        return file;
    }

    private Path closed(long from, long to) throws IOException {
        return segment("log_" + from + "-" + to, from, to);
    }

    private Path open(long from, long to) throws IOException {
        return segment("log_inprogress_" + from, from, to);
    }

    @Test
    void aLogThatEndsBeforeTheCheckpointIsRemovedWithItsOpenSegment() throws IOException {
        Path first = closed(0, 9);
        Path open = open(10, 26);
        Path meta = Files.writeString(current.resolve("raft-meta"), "term and vote");

        assertThat(StaleLog.dropIfBefore(current, 1025, MAX_ENTRY)).isEqualTo(2);

        assertThat(first).doesNotExist();
        assertThat(open).doesNotExist();
        assertThat(meta).exists();
    }

    @Test
    void aLogThatReachesTheCheckpointIsKept() throws IOException {
        Path first = closed(0, 9);
        Path open = open(10, 26);

        assertThat(StaleLog.dropIfBefore(current, 26, MAX_ENTRY)).isZero();
        assertThat(StaleLog.dropIfBefore(current, 12, MAX_ENTRY)).isZero();

        assertThat(first).exists();
        assertThat(open).exists();
    }

    @Test
    void theOpenSegmentsEndIsItsLastEntryNotItsName() throws IOException {
        // an open segment starting after the checkpoint is current; one starting before it may end anywhere
        Path open = open(1000, 1030);
        assertThat(StaleLog.dropIfBefore(current, 1025, MAX_ENTRY)).isZero();
        assertThat(open).exists();
        assertThat(StaleLog.dropIfBefore(current, 1031, MAX_ENTRY)).isEqualTo(1);
        assertThat(open).doesNotExist();
    }

    @Test
    void anEmptyOpenSegmentRightAfterTheCheckpointIsKept() throws IOException {
        Path open = open(1026, 1025);
        assertThat(StaleLog.dropIfBefore(current, 1025, MAX_ENTRY)).isZero();
        assertThat(open).exists();
    }

    @Test
    void aZeroByteOpenSegmentOfAMemberKilledAsItOpenedItCountsAsNoEntries() throws IOException {
        // killed right after creating the file: not even the header is there
        Path first = closed(0, 9);
        Path empty = Files.createFile(current.resolve("log_inprogress_10"));

        assertThat(StaleLog.dropIfBefore(current, 9, MAX_ENTRY)).isZero();
        assertThat(first).exists();
        assertThat(StaleLog.dropIfBefore(current, 1025, MAX_ENTRY)).isEqualTo(2);
        assertThat(first).doesNotExist();
        assertThat(empty).doesNotExist();
    }

    @Test
    void aTornLastEntryDoesNotCount() throws IOException {
        Path open = open(10, 30);
        try (FileChannel ch = FileChannel.open(open, StandardOpenOption.WRITE)) {
            long end = 8; // the header; then find the end of the entries by the preallocated zeros
            byte[] all = Files.readAllBytes(open);
            for (int i = all.length - 1; i >= 0; i--) {
                if (all[i] != 0) {
                    end = i + 1;
                    break;
                }
            }
            ch.truncate(end - 2);
        }
        assertThat(StaleLog.dropIfBefore(current, 30, MAX_ENTRY)).as("entry 30 is torn: the log ends at 29").isEqualTo(1);
    }

    @Test
    void noLogOrNoCheckpointChangesNothing() throws IOException {
        assertThat(StaleLog.dropIfBefore(current, 1025, MAX_ENTRY)).isZero();
        Path open = open(0, 5);
        assertThat(StaleLog.dropIfBefore(current, -1, MAX_ENTRY)).isZero();
        assertThat(StaleLog.dropIfBefore(current.resolve("absent"), 1025, MAX_ENTRY)).isZero();
        assertThat(open).exists();
    }

    @Test
    void aLogStartingPastEverythingTheStoreHoldsIsRemovedButNotTheTermAndVote() throws IOException {
        Path closed = closed(500, 509);
        Path open = open(510, 520);
        Path meta = Files.writeString(current.resolve("raft-meta"), "term and vote");

        assertThat(StaleLog.dropIfAfterGap(current, 0)).isEqualTo(2);

        assertThat(closed).doesNotExist();
        assertThat(open).doesNotExist();
        assertThat(meta).exists();
    }

    @Test
    void aLogGoingOnFromWhatTheStoreHoldsIsKept() throws IOException {
        Path first = closed(0, 9);
        assertThat(StaleLog.dropIfAfterGap(current, -1)).isZero();
        assertThat(StaleLog.dropIfAfterGap(current, 0)).isZero();
        Files.delete(first);
        Path later = open(101, 120);
        assertThat(StaleLog.dropIfAfterGap(current, 100)).isZero();
        assertThat(StaleLog.dropIfAfterGap(current, 400)).isZero();
        assertThat(later).exists();
    }
}
