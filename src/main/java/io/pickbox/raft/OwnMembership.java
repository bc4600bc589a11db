package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;

/**
 * Whether this node is still a member of its cluster, as the configurations it applies say. Ratis
 * tells a removed member nothing: it stops hearing from its leader and asks for votes nobody grants
 * (with TLS the others refuse its revoked certificate). Its status and health say why instead.
 */
final class OwnMembership {

    private static final Logger LOG = LoggerFactory.getLogger(OwnMembership.class);
    static final String REMOVED = "this node was removed from its cluster: it no longer replicates, and its folder stays "
            + "as it is; to take part again, remove its state directory and join with a new invite";
    static final String NOT_A_MEMBER = "this node is not a member of its cluster (it was removed, or stopped before it was "
            + "added): it does not replicate; to take part, remove its state directory and join with a new invite";

    private final RaftPeerId self;
    private boolean wasMember;
    /** Why this node takes no part in its cluster, as its log showed at start; null while it does. */
    private String problem;
    private boolean toldRemoved;

    OwnMembership(RaftPeerId self) {
        this.self = self;
    }

    /** A configuration applied here, from the log or a checkpoint (the apply thread); whether it names this node. */
    synchronized boolean applied(RaftConfigurationProto conf) {
        if (!names(conf.getPeersList()) && !names(conf.getListenersList())) return false;
        wasMember = true;
        problem = null;
        return true;
    }

    /** Whether {@code conf} (current or previous members, voters or listeners) names this node. */
    boolean namedIn(RaftConfiguration conf) {
        return conf.getPeer(self, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER) != null;
    }

    /** At start: the latest configuration in this node's log, committed or not. */
    synchronized void recovered(RaftConfiguration conf) {
        if (conf.getAllPeers().isEmpty()) return; // it has not heard from its cluster yet
        if (namedIn(conf)) {
            wasMember = true;
            return;
        }
        problem = NOT_A_MEMBER;
        LOG.warn("This node is not a member of its cluster (it was removed, or stopped before it was added): it does not replicate");
    }

    private boolean in(Collection<RaftPeer> peers) {
        return peers.stream().anyMatch(p -> p.getId().equals(self));
    }

    /**
     * Why this node takes no part in its cluster, null while it does. {@code latest} is its latest
     * configuration, committed or not. A removed member is often not told that its removal was
     * committed: the leader stops sending to it once the change is. So a member whose latest
     * configuration leaves it out and that has no leader counts as removed; should the change be
     * undone, a leader contacts it again.
     */
    synchronized String problem(RaftConfiguration latest, boolean hasLeader) {
        if (problem != null) return problem;
        if (!wasMember || hasLeader || latest.getAllPeers().isEmpty()) return null;
        if (in(latest.getCurrentPeers(RaftPeerRole.FOLLOWER)) || in(latest.getCurrentPeers(RaftPeerRole.LISTENER))) return null;
        if (!toldRemoved) {
            toldRemoved = true;
            LOG.warn("This node was removed from its cluster: it no longer replicates, and its folder stays as it is");
        }
        return REMOVED;
    }

    private boolean names(List<RaftPeerProto> peers) {
        for (RaftPeerProto p : peers) {
            if (p.getId().equals(self.toByteString())) return true;
        }
        return false;
    }
}
