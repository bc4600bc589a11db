package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a {@link RaftStatus} out of a Ratis division: the one place that knows its protobufs. */
final class DivisionStatus {

    /** A member heard from within this long counts as reachable. */
    static final long REACHABLE_MS = 5000;

    private DivisionStatus() {}

    static RaftStatus of(RaftServer.Division d, String self) {
        var info = d.getInfo();
        String leader = info.getLeaderId() == null ? null : info.getLeaderId().toString();
        // Applied first: it never passes commit, so a lag read this way is never too low ("ready" is real).
        long applied = info.getLastAppliedIndex();
        long commit = d.getRaftLog().getLastCommittedIndex();
        boolean leading = info.isLeader();

        Map<String, Long> commits = new LinkedHashMap<>();
        for (CommitInfoProto c : d.getCommitInfos()) commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        // Leader side: per follower, time since the last answer and the match index (same order).
        Map<String, Long> elapsed = new LinkedHashMap<>();
        Map<String, Long> match = new LinkedHashMap<>();
        var role = info.getRoleInfoProto();
        if (leading && role.hasLeaderInfo()) {
            var followers = role.getLeaderInfo().getFollowerInfoList();
            long[] matches = info.getFollowerMatchIndices();
            for (int i = 0; i < followers.size(); i++) {
                String id = followers.get(i).getId().getId().toStringUtf8();
                elapsed.put(id, followers.get(i).getLastRpcElapsedTimeMs());
                if (matches != null && matches.length == followers.size()) match.put(id, matches[i]);
            }
        } else if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo() && leader != null) {
            elapsed.put(leader, role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs());
        }

        var conf = d.getRaftConf();
        List<RaftPeer> peers = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        Set<String> listeners = new HashSet<>();
        for (RaftPeer p : conf.getCurrentPeers(RaftPeerRole.LISTENER)) {
            peers.add(p);
            listeners.add(p.getId().toString());
        }
        peers.sort(Comparator.comparing(p -> p.getId().toString()));
        List<RaftStatus.Member> members = new ArrayList<>();
        for (RaftPeer p : peers) {
            String id = p.getId().toString();
            boolean isSelf = id.equals(self);
            boolean learner = listeners.contains(id);
            Long contact = elapsed.get(id);
            Boolean reachable = isSelf ? Boolean.TRUE : contact != null ? contact < REACHABLE_MS : null;
            Long reported = commits.get(id);
            Long matchIndex = isSelf ? (leading ? Long.valueOf(d.getRaftLog().getFlushIndex()) : null) : match.get(id);
            Long lag = match.containsKey(id) ? Long.valueOf(Math.max(0, commit - match.get(id)))
                    : isSelf ? Long.valueOf(Math.max(0, commit - applied))
                    : reported == null ? null : Long.valueOf(Math.max(0, commit - reported));
            members.add(new RaftStatus.Member(id, p.getAddress(), id.equals(leader) ? "leader" : learner ? "learner" : "follower",
                    !learner, isSelf, reachable, contact, reported, matchIndex, lag));
        }
        return new RaftStatus(self, info.getCurrentRole().name().toLowerCase(), leader, info.getCurrentTerm(),
                commit, applied, info.isAlive(), members);
    }
}
