package io.pickbox.raft;

import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.store.Store;
import io.pickbox.store.StoreOptions;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An entry the state machine cannot apply because its store failed is not a decision: Ratis stops
 * applying on that member, so the member must say so (and end, to be restarted) instead of living
 * on looking alive. A corrupt entry, on the other hand, is decided as rejected, as before.
 */
class ApplyFailureTest {

    @TempDir
    Path dir;

    private static TransactionContext entry(PickboxStateMachine sm, long index, Op op) {
        LogEntryProto e = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                        .setLogData(Proposal.message(op, null).getContent())).build();
        return sm.startTransaction(e, RaftPeerRole.FOLLOWER);
    }

    private static Op mkdir(String path) {
        return new Op.Mkdir(new Op.Origin("n1", 1), path, 0755, 0);
    }

    @Test
    void anEntryTheStoreCannotTakeIsReportedWithItsIndexAndStopsApplying() throws Exception {
        Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL);
        PickboxStateMachine sm = new PickboxStateMachine(new Index(store), null);
        List<String> reported = new CopyOnWriteArrayList<>();
        sm.onApplyFailed((index, cause) -> reported.add(index + ": " + cause));
        sm.applyTransaction(entry(sm, 6, mkdir("before"))).join();
        store.close(); // the store fails from here on

        assertThatThrownBy(() -> sm.applyTransaction(entry(sm, 7, mkdir("after")))).isInstanceOf(RuntimeException.class);
        assertThat(reported).singleElement().asString().startsWith("7: ");
        assertThat(sm.getLastAppliedTermIndex().getIndex()).as("not marked applied").isEqualTo(6);
    }

    @Test
    void aNodeThatIsStoppingDoesNotReportTheStoreItClosed() throws Exception {
        Store store = Store.open(dir.resolve("store"), StoreOptions.SMALL);
        PickboxStateMachine sm = new PickboxStateMachine(new Index(store), null);
        List<Long> reported = new CopyOnWriteArrayList<>();
        sm.onApplyFailed((index, cause) -> reported.add(index));
        sm.stopping();
        store.close();

        assertThatThrownBy(() -> sm.applyTransaction(entry(sm, 7, mkdir("after")))).isInstanceOf(RuntimeException.class);
        assertThat(reported).isEmpty();
    }
}
