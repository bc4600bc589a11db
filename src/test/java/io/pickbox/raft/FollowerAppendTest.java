package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto.AppendResult;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower acknowledges an entry only once its log holds it: the leader counts it towards the
 * majority that commits the entry, and stops sending it.
 *
 * <p>A leader resends entries from where a follower's reply said its log ends, also while an
 * earlier append of the same entries is still being written there (a Pickbox follower's write
 * waits for its blobs and for {@link ApplyPacing}). Ratis 3.3.0's "compose" of appends took a
 * resend that starts at the same index as an append in flight for a duplicate of it, and
 * acknowledged all of its entries once the earlier, shorter append was written: the entries only
 * the resend carried were never written. The leader took them as held there, and an idle leader
 * then only sent heartbeats the follower refused, so the follower stayed behind until the next
 * change (seen as a node restarted after a crash that did not take in the cluster's changes for
 * 40 s).
 */
class FollowerAppendTest {

    private static final RaftPeerId LEADER = RaftPeerId.valueOf("leader");
    private static final RaftPeerId FOLLOWER = RaftPeerId.valueOf("follower");
    private static final org.apache.ratis.protocol.ClientId CLIENT = org.apache.ratis.protocol.ClientId.randomId();

    @TempDir
    Path dir;

    @Test
    void aResendOverlappingAnAppendStillBeingWrittenIsWrittenInFull() throws Exception {
        GatedWrites machine = new GatedWrites();
        int port = freePort();
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()),
                RaftPeer.newBuilder().setId(LEADER).setAddress("127.0.0.1:1").build(),
                RaftPeer.newBuilder().setId(FOLLOWER).setAddress("127.0.0.1:" + port).build());
        var p = RaftSettings.server("127.0.0.1", port, dir, 1_000_000, SizeInBytes.valueOf("8MB"));
        // This test plays the leader: the follower must not start an election meanwhile.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(90, TimeUnit.SECONDS));
        try (RaftServer server = RaftServer.newBuilder().setServerId(FOLLOWER).setGroup(group).setStateMachine(machine)
                .setProperties(p).setOption(RaftStorage.StartupOption.FORMAT).build()) {
            server.start();

            // The first append (entries 0-2) is held in the state machine's write ...
            CompletableFuture<AppendEntriesReplyProto> first = server.appendEntriesAsync(append(group, 1, entries(0, 2)));
            // ... when the leader resends from the same index with one entry more.
            CompletableFuture<AppendEntriesReplyProto> resend = server.appendEntriesAsync(append(group, 2, entries(0, 3)));
            machine.open();

            AppendEntriesReplyProto reply = resend.get(30, TimeUnit.SECONDS);
            assertThat(first.get(30, TimeUnit.SECONDS).getResult()).isEqualTo(AppendResult.SUCCESS);
            assertThat(reply.getResult()).isEqualTo(AppendResult.SUCCESS);
            assertThat(reply.getMatchIndex()).isEqualTo(3);
            RaftLog log = server.getDivision(group.getGroupId()).getRaftLog();
            assertThat(log.getFlushIndex()).as("entries written and flushed").isGreaterThanOrEqualTo(reply.getMatchIndex());
            assertThat(log.getLastEntryTermIndex().getIndex()).isEqualTo(3);
        }
    }

    private static AppendEntriesRequestProto append(RaftGroup group, long callId, List<LogEntryProto> entries) {
        return AppendEntriesRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder().setRequestorId(LEADER.toByteString())
                        .setReplyId(FOLLOWER.toByteString()).setRaftGroupId(org.apache.ratis.proto.RaftProtos.RaftGroupIdProto.newBuilder().setId(group.getGroupId().toByteString())).setCallId(callId))
                .setLeaderTerm(1).setLeaderCommit(0).addAllEntries(entries).build();
    }

    /** Entries {@code from} to {@code to} of term 1, each with data kept outside the log, as Pickbox's are. */
    private static List<LogEntryProto> entries(long from, long to) {
        List<LogEntryProto> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntryProto.newBuilder().setTerm(1).setIndex(i)
                    .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                            .setLogData(ByteString.copyFromUtf8("entry " + i)).setClientId(CLIENT.toByteString()).setCallId(i)
                            .setStateMachineEntry(StateMachineEntryProto.newBuilder()
                                    .setStateMachineData(ByteString.copyFromUtf8("data of entry " + i))))
                    .build());
        }
        return list;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A state machine whose writes of entries' data complete only once the test opens the gate. */
    private static final class GatedWrites extends BaseStateMachine {
        private final CompletableFuture<Void> gate = new CompletableFuture<>();

        void open() {
            gate.complete(null);
        }

        @Override
        public CompletableFuture<?> write(LogEntryProto entry, TransactionContext context) {
            return gate;
        }
    }
}
