package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A leader that stops on purpose hands leadership over first. Without this its followers notice
 * the silence only after an election timeout, then run an election; with it the successor takes
 * over at once, and the stopping node leaves as a plain follower (no log appenders to tear down).
 */
final class LeadershipHandover {

    private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandover.class);

    private LeadershipHandover() {}

    /**
     * Hands leadership of {@code division} to its most up-to-date follower when it leads and has
     * one; gives up after {@code timeout} (the stop goes on either way: the others elect a leader).
     * Returns the successor when it took over.
     */
    static Optional<RaftPeerId> run(RaftServer server, RaftServer.Division division, Duration timeout) {
        if (!division.getInfo().isLeader()) return Optional.empty();
        Collection<RaftPeer> voters = division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER);
        Optional<RaftPeerId> successor = successor(division.getId(), voters, division.getCommitInfos());
        if (successor.isEmpty()) return Optional.empty();
        var request = new TransferLeadershipRequest(ClientId.randomId(), division.getId(), division.getGroup().getGroupId(),
                0, successor.get(), timeout.toMillis());
        try {
            RaftClientReply reply = server.transferLeadershipAsync(request)
                    .get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            if (reply.isSuccess()) return successor;
            LOG.debug("Leadership handover to {} failed: {}", successor.get(), reply.getException());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.debug("Leadership handover to {} failed: {}", successor.get(), e.toString());
        }
        return Optional.empty();
    }

    /**
     * The voter other than {@code self} whose commit index is highest (it needs the least catching
     * up before it can take over); ties go to the lowest id, so the choice is stable. Empty when
     * {@code self} is the only voter.
     */
    static Optional<RaftPeerId> successor(RaftPeerId self, Collection<RaftPeer> voters, Collection<CommitInfoProto> commits) {
        Map<String, Long> committed = commits.stream().collect(Collectors.toMap(
                c -> c.getServer().getId().toStringUtf8(), CommitInfoProto::getCommitIndex, Math::max));
        return voters.stream()
                .map(RaftPeer::getId)
                .filter(id -> !id.equals(self))
                .min(Comparator.<RaftPeerId>comparingLong(id -> -committed.getOrDefault(id.toString(), -1L))
                        .thenComparing(RaftPeerId::toString));
    }
}
