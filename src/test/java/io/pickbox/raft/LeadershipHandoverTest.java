package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LeadershipHandoverTest {

    private static final RaftPeerId SELF = RaftPeerId.valueOf("n1");

    private static RaftPeer peer(String id) {
        return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:1").build();
    }

    private static CommitInfoProto commit(String id, long index) {
        return CommitInfoProto.newBuilder()
                .setServer(RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)))
                .setCommitIndex(index).build();
    }

    @Test
    void picksTheFollowerThatCommittedMost() {
        var voters = List.of(peer("n1"), peer("n2"), peer("n3"));
        var commits = List.of(commit("n1", 90), commit("n2", 70), commit("n3", 85));
        assertThat(LeadershipHandover.successor(SELF, voters, commits)).contains(RaftPeerId.valueOf("n3"));
    }

    @Test
    void aTieGoesToTheLowestId() {
        var voters = List.of(peer("n3"), peer("n1"), peer("n2"));
        var commits = List.of(commit("n2", 50), commit("n3", 50));
        assertThat(LeadershipHandover.successor(SELF, voters, commits)).contains(RaftPeerId.valueOf("n2"));
    }

    @Test
    void aFollowerWithoutCommitInfoComesLast() {
        var voters = List.of(peer("n1"), peer("n2"), peer("n3"));
        var commits = List.of(commit("n3", 0));
        assertThat(LeadershipHandover.successor(SELF, voters, commits)).contains(RaftPeerId.valueOf("n3"));
    }

    @Test
    void theOnlyVoterHasNoSuccessor() {
        assertThat(LeadershipHandover.successor(SELF, List.of(peer("n1")), List.of(commit("n1", 5))))
                .isEqualTo(Optional.empty());
    }
}
