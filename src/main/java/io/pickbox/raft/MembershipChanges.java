package io.pickbox.raft;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Changes to the group's members that an operator asks for (cluster add, remove, transfer-leader),
 * and the one retry loop every reconfiguration goes through, a node's own join included.
 */
public final class MembershipChanges {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);

    private final RaftNode raft;

    MembershipChanges(RaftNode raft) {
        this.raft = raft;
    }

    /** Thrown for a membership request that names no current member. */
    public static final class UnknownMemberException extends IOException {
        public UnknownMemberException(String message) {
            super(message);
        }
    }

    /** Current voting members and listeners, as this node knows them. */
    record Membership(List<RaftPeer> voters, List<RaftPeer> listeners) {}

    private Membership membership() throws IOException {
        var conf = raft.division().getRaftConf();
        return new Membership(new ArrayList<>(conf.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER)),
                new ArrayList<>(conf.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)));
    }

    /**
     * Adds a running node (one started with an empty group) as a voter: Ratis first stages the new
     * peer as a non-voting catching-up member and commits the new configuration only once it has
     * caught up (the call returns then). A node that is already a listener is promoted.
     *
     * <p>Why not "listener first, then promote": in Ratis 3.3.0 a listener promoted to a voter by a
     * later configuration keeps being sent {@code initializing=true} by the leader's existing log
     * appender, so its division stays in STARTING: it can neither be elected nor take a leadership
     * transfer until the next leader change. A node added as a listener with an empty group never
     * even applies the configuration that names it (it stays "initializing"). Ratis's own staging
     * gives the same catch-up-first behaviour without those traps. One change at a time; retried
     * while another is in progress.
     */
    public void addMember(String id, String address) throws IOException {
        RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(address).build();
        Membership m = membership();
        boolean isVoter = m.voters().stream().anyMatch(p -> p.getId().equals(peer.getId()));
        boolean isListener = m.listeners().stream().anyMatch(p -> p.getId().equals(peer.getId()));
        if (isVoter) {
            LOG.info("{} is already a member", id);
            return;
        }
        try (RaftClient c = raft.newClient(RaftGroup.valueOf(raft.groupId(), union(m.voters(), m.listeners())))) {
            if (isListener) {
                reconfigure(c, "promote " + id, () -> {
                    Membership now = membership();
                    List<RaftPeer> voters = new ArrayList<>(now.voters());
                    if (voters.stream().noneMatch(p -> p.getId().equals(peer.getId()))) voters.add(peer);
                    List<RaftPeer> listeners = new ArrayList<>(now.listeners());
                    listeners.removeIf(p -> p.getId().equals(peer.getId()));
                    return SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInCurrentConf(now.voters()).setListenersInCurrentConf(now.listeners())
                            .setServersInNewConf(voters).setListenersInNewConf(listeners)
                            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build();
                });
                LOG.info("Member {} ({}) promoted from learner to voter", id, address);
            } else {
                createGroupOn(peer);
                reconfigure(c, "add " + id, () -> SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(peer)).setMode(SetConfigurationRequest.Mode.ADD).build());
                LOG.info("Member {} ({}) added as a voter after catching up", id, address);
            }
        }
    }

    /** Adds a running node (a learner that joined) as a listener: it follows every change and votes on none. */
    public void addListener(String id, String address) throws IOException {
        RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(address).build();
        Membership m = membership();
        if (m.voters().stream().anyMatch(p -> p.getId().equals(peer.getId()))) {
            throw new IOException(id + " is a voter already");
        }
        if (m.listeners().stream().anyMatch(p -> p.getId().equals(peer.getId()))) return;
        try (RaftClient c = raft.newClient(RaftGroup.valueOf(raft.groupId(), union(m.voters(), m.listeners())))) {
            reconfigure(c, "add " + id + " as a learner", () -> {
                Membership now = membership();
                List<RaftPeer> listeners = new ArrayList<>(now.listeners());
                if (listeners.stream().noneMatch(p -> p.getId().equals(peer.getId()))) listeners.add(peer);
                return SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(now.voters()).setListenersInCurrentConf(now.listeners())
                        .setServersInNewConf(now.voters()).setListenersInNewConf(listeners)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build();
            });
        }
        LOG.info("Member {} ({}) added as a learner", id, address);
    }

    /**
     * A node waiting to be added starts with no group (it does not know the cluster's): it gets the
     * group, with no members yet, before the configuration that names it, so the leader's first
     * appends find it. A node that already has it (a join, or a retried add) keeps its own.
     */
    private void createGroupOn(RaftPeer peer) throws IOException {
        // A node that just received its certificate is restarting its Raft port: give it a moment.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (RaftClient c = raft.newClient(RaftGroup.valueOf(raft.groupId(), peer))) {
                c.getGroupManagementApi(peer.getId()).add(RaftGroup.valueOf(raft.groupId()));
                return;
            } catch (org.apache.ratis.protocol.exceptions.AlreadyExistsException e) {
                LOG.debug("{} already has the group", peer.getId());
                return;
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("already exists")) return;
                if (System.nanoTime() > deadline) {
                    throw new IOException("cannot reach " + peer.getId() + " at " + peer.getAddress() + ": " + e.getMessage(), e);
                }
                RaftNode.sleepQuietly(250);
            }
        }
    }

    /** Removes a voter or listener; its storage stays on its machine. */
    public void removeMember(String id) throws IOException {
        RaftPeerId peerId = RaftPeerId.valueOf(id);
        Membership m = membership();
        boolean known = m.voters().stream().anyMatch(p -> p.getId().equals(peerId))
                || m.listeners().stream().anyMatch(p -> p.getId().equals(peerId));
        if (!known) throw new UnknownMemberException("not a member: " + id);
        if (m.voters().size() == 1 && m.voters().get(0).getId().equals(peerId)) {
            throw new IOException("cannot remove the last voting member " + id);
        }
        try (RaftClient c = raft.newClient(RaftGroup.valueOf(raft.groupId(), union(m.voters(), m.listeners())))) {
            reconfigure(c, "remove " + id, () -> {
                Membership now = membership();
                List<RaftPeer> voters = new ArrayList<>(now.voters());
                voters.removeIf(p -> p.getId().equals(peerId));
                List<RaftPeer> listeners = new ArrayList<>(now.listeners());
                listeners.removeIf(p -> p.getId().equals(peerId));
                return SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(now.voters()).setListenersInCurrentConf(now.listeners())
                        .setServersInNewConf(voters).setListenersInNewConf(listeners)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build();
            });
        }
        LOG.info("Member {} removed from the cluster", id);
    }

    /**
     * Asks the leader to hand leadership to {@code id}, within {@code timeoutMs}. While entries keep
     * being committed, the target can fall one behind between the leader's check that it is current
     * and its election, and lose that election to another node: the transfer is then asked of the
     * new leader, as an operator would ask again.
     */
    public void transferLeadership(String id, long timeoutMs) throws IOException {
        RaftPeerId peerId = RaftPeerId.valueOf(id);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (int attempt = 1; ; attempt++) {
            Membership m = membership();
            if (m.voters().stream().noneMatch(p -> p.getId().equals(peerId))) {
                throw new UnknownMemberException("not a voting member: " + id);
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            IOException failed;
            try (RaftClient c = raft.newClient(RaftGroup.valueOf(raft.groupId(), m.voters()))) {
                RaftClientReply reply = c.admin().transferLeadership(peerId, left);
                if (reply.isSuccess()) break;
                failed = reply.getException() != null ? reply.getException()
                        : new IOException("leadership transfer to " + id + " failed: unknown reason");
            } catch (TransferLeadershipException e) {
                failed = e;
            }
            if (!(failed instanceof TransferLeadershipException) || attempt >= TRANSFER_ATTEMPTS || System.nanoTime() >= deadline) {
                throw failed;
            }
            LOG.info("Leadership transfer to {} did not take ({}); asking again", id, failed.getMessage());
        }
        LOG.info("Leadership transferred to {}", id);
    }

    /** Transfers asked at most, when the target keeps losing its election. */
    private static final int TRANSFER_ATTEMPTS = 5;

    interface ArgsSupplier {
        SetConfigurationRequest.Arguments get() throws IOException;
    }

    /** A joining node waits out changes already under way a little longer than an operator's change does. */
    static final int JOIN_ATTEMPTS = 60;
    private static final int CHANGE_ATTEMPTS = 50;

    private static void reconfigure(RaftClient c, String what, ArgsSupplier args) throws IOException {
        reconfigure(c, what, CHANGE_ATTEMPTS, args);
    }

    /**
     * Membership changes go one at a time: retries while another one is in progress. {@code args}
     * is asked again on each attempt, so a compare-and-set change can read the current members.
     */
    static void reconfigure(RaftClient c, String what, int attempts, ArgsSupplier args) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            try {
                RaftClientReply reply = c.admin().setConfiguration(args.get());
                if (reply.isSuccess()) return;
                last = reply.getException() != null ? reply.getException() : new IOException("set configuration failed");
            } catch (IOException e) {
                last = e;
            }
            LOG.debug("Could not {} (attempt {}): {}", what, attempt + 1, last.getMessage());
            RaftNode.sleepQuietly(200L + (long) (Math.random() * 300));
        }
        throw new IOException("could not " + what + ": " + last.getMessage(), last);
    }

    private static List<RaftPeer> union(List<RaftPeer> a, List<RaftPeer> b) {
        List<RaftPeer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
