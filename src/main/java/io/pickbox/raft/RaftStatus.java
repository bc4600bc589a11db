package io.pickbox.raft;

import java.util.List;

/**
 * This node's view of its Raft group in Pickbox's terms, without Ratis types: what the status
 * endpoint, the health checks and the gauges report.
 *
 * @param role    this node's role in lower case: leader, follower, candidate or listener
 * @param leader  the leader's id, null while none is known
 * @param alive   the server is neither closing nor closed
 * @param members voters and learners, sorted by id
 * @param failure why this node no longer takes part in its group although its server runs (its Raft
 *                log cannot be written, it was removed), null when it does
 */
public record RaftStatus(String nodeId, String role, String leader, long term, long commitIndex,
                         long appliedIndex, boolean alive, List<Member> members, String failure) {

    public RaftStatus {
        members = List.copyOf(members);
    }

    public RaftStatus(String nodeId, String role, String leader, long term, long commitIndex,
                      long appliedIndex, boolean alive, List<Member> members) {
        this(nodeId, role, leader, term, commitIndex, appliedIndex, alive, members, null);
    }

    /** This status of a node that stepped aside for {@code why}. */
    RaftStatus failed(String why) {
        return new RaftStatus(nodeId, role, leader, term, commitIndex, appliedIndex, alive, members, why);
    }

    public boolean isLeader() {
        return "leader".equals(role);
    }

    /** Committed log entries this node has not applied yet. */
    public long applyLag() {
        return Math.max(0, commitIndex - appliedIndex);
    }

    /** Running, taking part in its group, and following a known leader (or leading). */
    public boolean healthy() {
        return unhealthyReason() == null;
    }

    /** Why this node is not {@link #healthy()}, in a sentence; null when it is. */
    public String unhealthyReason() {
        if (failure != null) return failure;
        if (!alive) return "its Raft server is not running";
        if (leader == null) return "it knows no leader: an election is under way, or it cannot reach a majority of its cluster";
        return null;
    }

    /**
     * One member as this node sees it. A leader knows when each follower last answered and how far
     * its log matches; a follower knows only when it last heard from the leader; any member knows
     * the commit indices the others reported. Null means "not known here".
     *
     * @param role          leader, follower or learner
     * @param self          the member is this node
     * @param reachable     true for this node; for another, whether it was heard from in the last 5 s
     * @param lastContactMs ms since it was last heard from
     * @param matchIndex    the last log index known to be on it (for a leader itself: its flush index)
     * @param lag           log entries it is behind this node's commit index
     */
    public record Member(String id, String address, String role, boolean voting, boolean self, Boolean reachable,
                         Long lastContactMs, Long commitIndex, Long matchIndex, Long lag) {}
}
