package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ratis keeps the transaction of every entry a member appended from its leader until the member
 * applied it: a member replaying a long log holds thousands of them.
 */
class FollowerTransactionTest {

    @Test
    void theTransactionOfAnEntryFromTheLeaderKeepsItsHeaderButNotItsFiles() {
        ByteString header = ByteString.copyFromUtf8("header");
        LogEntryProto entry = LogEntryProto.newBuilder().setTerm(3).setIndex(42)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(header)
                        .setStateMachineEntry(StateMachineEntryProto.newBuilder()
                                .setStateMachineData(ByteString.copyFrom(new byte[64 << 10])))).build();

        TransactionContext trx = new PickboxStateMachine(null, null).startTransaction(entry, RaftPeerRole.FOLLOWER);

        assertThat(trx.getLogEntry().getIndex()).isEqualTo(42);
        assertThat(trx.getLogEntry().getTerm()).isEqualTo(3);
        assertThat(trx.getLogEntry().getStateMachineLogEntry().getLogData()).isEqualTo(header);
        assertThat(trx.getLogEntry().getStateMachineLogEntry().getStateMachineEntry().getStateMachineData()).isEmpty();
        assertThat(trx.getStateMachineLogEntry().getStateMachineEntry().getStateMachineData()).isEmpty();
        assertThat(trx.getServerRole()).isEqualTo(RaftPeerRole.FOLLOWER);
    }
}
