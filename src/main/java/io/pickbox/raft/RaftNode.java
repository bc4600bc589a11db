package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One Raft member: the Ratis server running the Pickbox state machine, and the embedded client
 * through which this node submits its changes (Ratis routes them to the leader).
 */
public final class RaftNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** A stop waits this long at most for a successor to take over leadership. */
    private static final java.time.Duration HANDOVER_TIMEOUT = java.time.Duration.ofSeconds(1);

    public record Settings(String nodeId, String host, int port, Path storageDir,
                           long snapshotEvery, SizeInBytes segmentSize) {}

    private final Settings settings;
    /** Unknown to a node waiting to be added until the operator's {@code cluster add} creates its group here. */
    private volatile RaftGroupId groupId;
    private final RaftPeer self;
    private final PickboxStateMachine stateMachine;
    private final RaftSecurity security;
    private final StartMark founding;
    private final StartMark joining;
    private final OwnMembership membership;
    private RaftServer server;
    private volatile RaftClient client;
    private final Batcher batcher = new Batcher(this::submit);
    /** Why this member stepped aside (its log cannot be written); null while it takes part. */
    private volatile String failure;
    private volatile java.util.function.Consumer<String> onFailure = why -> {};

    /**
     * @param advertised the address peers dial for this member's Raft port (host:port)
     * @param groupId    the cluster's group: {@link #groupIdOf} its cluster id, or {@link #existingGroup}; null
     *                   for a node that waits to be added
     */
    public RaftNode(Settings settings, String advertised, RaftGroupId groupId, PickboxStateMachine stateMachine,
                    RaftSecurity security) {
        this.settings = settings;
        this.groupId = groupId;
        this.self = RaftPeer.newBuilder().setId(settings.nodeId()).setAddress(advertised).build();
        this.stateMachine = stateMachine;
        this.security = security;
        this.founding = new StartMark(settings.storageDir(), StartMark.FOUNDING);
        this.joining = new StartMark(settings.storageDir(), StartMark.JOINING);
        this.membership = new OwnMembership(self.getId());
        stateMachine.onConfigurationApplied(conf -> {
            if (membership.applied(conf)) finish(joining);
        });
        stateMachine.onLogFailed(this::logFailed);
        stateMachine.onApplyFailed(this::applyFailed);
    }

    /**
     * Who is told, once, that this member stepped aside because its log cannot be written or an
     * entry cannot be applied: the process then ends so that its supervisor restarts it (see
     * {@link LogFailure}).
     */
    public void onFailure(java.util.function.Consumer<String> handler) {
        onFailure = handler;
    }

    /** Why this member no longer takes part in its group, null while it does. */
    public String failure() {
        return failure;
    }

    /** Ratis could not write this member's log: it takes no further entry until restarted, and steps aside. */
    private void logFailed(Throwable cause) {
        if (!LogFailure.isWrite(cause)) {
            LOG.debug("Reading an entry's data back failed: {}", cause.toString());
            return;
        }
        stepAside(LogFailure.describe(settings.storageDir(), cause), "free space there and restart it to catch up");
    }

    /**
     * An entry could not be applied (the node's store failed): Ratis stops applying on this member,
     * which then steps aside as for a log it cannot write; restarted, it applies the entry again.
     */
    private void applyFailed(long logIndex, RuntimeException cause) {
        stepAside(LogFailure.describeApply(settings.storageDir(), logIndex, cause), "restart it to apply the entry again");
    }

    /**
     * This member says once why it no longer takes part, hands leadership over if it leads, reports
     * itself unhealthy, and tells {@link #onFailure}. Off the calling thread (Ratis's log worker or
     * state-machine updater): the handover waits for the successor.
     */
    private void stepAside(String reason, String advice) {
        String why;
        synchronized (this) {
            if (failure != null) return;
            failure = why = reason;
        }
        LOG.error("Stepping aside: {}. This node no longer takes part in the cluster; {} (its log is kept as it was)",
                why, advice);
        Thread t = new Thread(() -> {
            try {
                LeadershipHandover.run(server, division(), HANDOVER_TIMEOUT)
                        .ifPresent(successor -> LOG.info("Handed leadership to {}", successor));
            } catch (IOException | RuntimeException e) {
                LOG.debug("No leadership handover: {}", e.toString());
            }
            onFailure.accept(why);
        }, "pickbox-raft-step-aside");
        t.setDaemon(true);
        t.start();
    }

    /** The group a node with Raft state in {@code storageDir} belongs to, if it has such state. */
    public static Optional<RaftGroupId> existingGroup(Path storageDir) throws IOException {
        if (!Files.isDirectory(storageDir)) return Optional.empty();
        List<RaftGroupId> groups = new ArrayList<>();
        try (var dirs = Files.list(storageDir)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!Files.isDirectory(d.resolve("current"))) continue;
                try {
                    groups.add(RaftGroupId.valueOf(UUID.fromString(d.getFileName().toString())));
                } catch (IllegalArgumentException notAGroup) {
                    // some other folder
                }
            }
        }
        if (groups.size() > 1) throw new IOException("Raft state of several clusters in " + storageDir + ": " + groups);
        return groups.stream().findFirst();
    }

    /** Each cluster has its own group, so a node can never join another cluster's group by mistake. */
    public static RaftGroupId groupIdOf(String clusterId) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("pickbox:" + clusterId).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The group of the member at {@code target}, asked of it. Only for plaintext clusters: with TLS
     * a joining node learns its cluster from its invite.
     */
    public static RaftGroupId discoverGroup(String target, RaftSecurity security) throws IOException {
        RaftPeer probe = RaftPeer.newBuilder().setId("join-probe").setAddress(target).build();
        // Any group id but the empty one (which Ratis refuses with peers): the call asks for the member's groups.
        try (RaftClient c = client(RaftGroup.valueOf(RaftGroupId.randomId(), probe), security)) {
            List<RaftGroupId> groups = c.getGroupManagementApi(probe.getId()).list().getGroupIds();
            if (groups.size() != 1) throw new IOException(target + " serves " + groups.size() + " groups, not one cluster");
            return groups.get(0);
        } catch (IOException | RuntimeException e) {
            throw unreachable(target, e);
        }
    }

    /**
     * Why {@code target} could not be reached. gRPC reports a refused TLS handshake as "unavailable":
     * the certificate problem found in the causes is the reason to give.
     */
    static IOException unreachable(String target, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                Throwable root = t;
                while (root.getCause() != null && root.getCause() != root) root = root.getCause();
                return new IOException("cannot reach cluster member " + target + ": the TLS handshake failed ("
                        + (root.getMessage() == null ? root.toString() : root.getMessage()) + ")", e);
            }
        }
        return new IOException("cannot reach cluster member " + target + ": " + e.getMessage(), e);
    }

    /** Starts a brand-new one-member cluster. */
    public void bootstrap() throws IOException {
        founding.begin();
        startFounding();
        LOG.info("Bootstrapped a new cluster as {}", self.getId());
    }

    /**
     * Restarts from existing state. {@code joinTarget} is the member this node joined through (null
     * for one that founded its cluster or was added by an operator), {@code learner} how it joined.
     */
    public void recover(String joinTarget, boolean learner) throws IOException {
        if (founding.unfinished()) {
            startFounding();
            LOG.info("Bootstrapping a new cluster as {} again: it stopped before the cluster's first entry was in its log",
                    self.getId());
            return;
        }
        start(RaftGroup.valueOf(groupId));
        RaftConfiguration conf = division().getRaftConf();
        if (!membership.namedIn(conf) && (joining.unfinished() || (joinTarget != null && conf.getAllPeers().isEmpty()))) {
            // It stopped while joining, before the cluster added it (a node that joined before the mark
            // existed knows no member then): the leader gives up adding a node that stops answering,
            // and nobody would add it again. Its certificate is its admission now; the invite is spent.
            List<String> targets = rejoinTargets(joinTarget, conf);
            if (!targets.isEmpty()) {
                LOG.info("{} stopped while joining its cluster; asking to be added again", self.getId());
                rejoin(targets, learner);
                return;
            }
        }
        membership.recovered(conf);
        LOG.info("Recovered Raft state of {}", self.getId());
    }

    /** Whom a node that stopped while joining asks again: the member it joined through, then the voters it learnt of. */
    private static List<String> rejoinTargets(String joinTarget, RaftConfiguration conf) {
        List<String> targets = new ArrayList<>();
        if (joinTarget != null) targets.add(joinTarget);
        for (RaftPeer p : conf.getAllPeers()) { // the voters
            if (p.getAddress() != null && !targets.contains(p.getAddress())) targets.add(p.getAddress());
        }
        return targets;
    }

    /** Becomes a member through the first of {@code targets} that answers. */
    private void rejoin(List<String> targets, boolean learner) throws IOException {
        IOException first = null;
        for (String target : targets) {
            List<RaftPeer> members;
            try {
                members = membersAt(target);
            } catch (IOException unreachable) {
                if (first == null) first = unreachable;
                LOG.info("{}; trying another member", unreachable.getMessage());
                continue;
            }
            becomeMember(target, members, learner);
            return;
        }
        throw first;
    }

    /** Starts the group with this node as its only member, until its first entry is applied here. */
    private void startFounding() throws IOException {
        start(RaftGroup.valueOf(groupId, self));
        stateMachine.awaitApplied(0).thenRunAsync(() -> finish(founding));
    }

    private static void finish(StartMark mark) {
        try {
            mark.finish();
        } catch (IOException e) {
            LOG.warn("Could not remove {}: {} (harmless; removed at a later start)", mark, e.toString());
        }
    }

    /**
     * Joins the cluster that the member at {@code target} (host:port of its Raft port) belongs to,
     * as a voter or, with {@code learner}, as a listener: it receives every change and votes on none.
     */
    public void join(String target, boolean learner) throws IOException {
        List<RaftPeer> members = membersAt(target);
        if (isIn(members)) {
            throw new IOException("node id " + self.getId() + " is still a member of the cluster but this node has no state; "
                    + "remove it first with `pickbox cluster remove " + self.getId() + "` or use another id");
        }
        joining.begin();
        start(RaftGroup.valueOf(groupId));
        becomeMember(target, members, learner);
    }

    /** The members of this node's cluster, as the member at {@code target} knows them. */
    private List<RaftPeer> membersAt(String target) throws IOException {
        RaftPeer probe = RaftPeer.newBuilder().setId("join-probe").setAddress(target).build();
        try (RaftClient c = newClient(RaftGroup.valueOf(groupId, probe))) {
            GroupInfoReply info = c.getGroupManagementApi(probe.getId()).info(groupId);
            if (info.getGroup() == null) throw new IOException("it is not a member of this node's cluster");
            return new ArrayList<>(info.getGroup().getPeers());
        } catch (IOException | RuntimeException e) {
            throw unreachable(target, e);
        }
    }

    private boolean isIn(List<RaftPeer> members) {
        return members.stream().anyMatch(p -> p.getId().equals(self.getId()));
    }

    /** This started server becomes one of {@code members}, asked through the member at {@code target}. */
    private void becomeMember(String target, List<RaftPeer> members, boolean learner) throws IOException {
        if (isIn(members)) {
            LOG.info("{} is already a member; rejoining", self.getId());
            return;
        }
        if (learner) {
            security.askToListen(target, self.getAddress());
            RaftClient old = client;
            client = newClient(RaftGroup.valueOf(groupId, proposalTargets(voters(members))));
            old.close();
        } else {
            try (RaftClient c = newClient(RaftGroup.valueOf(groupId, members))) {
                addSelf(c);
            }
        }
        LOG.info("Joined the cluster through {}{}", target, learner ? " as a learner" : "");
    }

    /** The voters among {@code peers} as a group info lists them (every peer when roles are not given). */
    private static List<RaftPeer> voters(List<RaftPeer> peers) {
        List<RaftPeer> out = new ArrayList<>();
        for (RaftPeer p : peers) {
            if (p.getStartupRole() != RaftPeerRole.LISTENER) out.add(p);
        }
        return out;
    }

    private void addSelf(RaftClient c) throws IOException {
        SetConfigurationRequest.Arguments add = SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of(self)).setMode(SetConfigurationRequest.Mode.ADD).build();
        MembershipChanges.reconfigure(c, "add " + self.getId() + " to the cluster", MembershipChanges.JOIN_ATTEMPTS, () -> add);
    }

    private void start(RaftGroup group) throws IOException {
        QuietRatisStop.reset();
        RaftProperties props = RaftSettings.server(settings.host(), settings.port(), settings.storageDir(),
                settings.snapshotEvery(), settings.segmentSize());
        RaftServer.Builder builder = RaftServer.newBuilder().setServerId(self.getId()).setProperties(props)
                .setParameters(security.serverParameters())
                .setStateMachine(stateMachine).setOption(RaftStorage.StartupOption.RECOVER);
        if (group != null) builder.setGroup(group);
        server = builder.build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        if (groupId != null) client = newClient(RaftGroup.valueOf(groupId, proposalTargets(List.of(self))));
    }

    /**
     * Where this node's proposals go: the voters it knows (a learner is not one, and cannot find the
     * leader by itself), or {@code fallback} before it knows any.
     */
    private List<RaftPeer> proposalTargets(List<RaftPeer> fallback) {
        try {
            List<RaftPeer> voters = new ArrayList<>(division().getRaftConf()
                    .getCurrentPeers(RaftPeerRole.FOLLOWER));
            return voters.isEmpty() ? fallback : voters;
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    RaftClient newClient(RaftGroup group) {
        return client(group, security);
    }

    private static RaftClient client(RaftGroup group, RaftSecurity security) {
        RetryPolicy retry = ExponentialBackoffRetry.newBuilder()
                .setBaseSleepTime(TimeDuration.valueOf(50, TimeUnit.MILLISECONDS))
                .setMaxSleepTime(TimeDuration.valueOf(2, TimeUnit.SECONDS))
                .setMaxAttempts(40).build();
        return RaftClient.newBuilder().setProperties(RaftSettings.client()).setParameters(security.clientParameters())
                .setRaftGroup(group)
                .setClientId(ClientId.randomId()).setRetryPolicy(retry).build();
    }

    /**
     * Proposes {@code op} (with its bytes for chunks and inline files); completes with apply's
     * decision once this node applied it. Ops from one node reach the log in the order submitted.
     */
    public CompletableFuture<Result> submit(Op op, ByteBuffer data) {
        return batcher.submit(op, data);
    }

    private CompletableFuture<List<Result>> submit(Message message) {
        RaftClient c = client;
        return c.async().send(message).whenComplete((reply, e) -> {
            if (e != null && rootCause(e) instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException) replaceClient(c);
        }).thenApply(reply -> {
            if (!reply.isSuccess()) {
                Exception e = reply.getException();
                throw new CompletionException(e != null ? e : new IOException("proposal failed"));
            }
            return reply;
        }).thenCompose(reply -> stateMachine.awaitApplied(reply.getLogIndex())
                .orTimeout(2, TimeUnit.MINUTES)
                .thenApply(applied -> OpCodec.decodeResults(reply.getMessage().getContent().toByteArray())));
    }

    /** A client closed by a fatal error is replaced, so later proposals go through again. */
    private synchronized void replaceClient(RaftClient closed) {
        if (client != closed) return;
        LOG.warn("The Raft client was closed; opening a new one");
        client = newClient(RaftGroup.valueOf(groupId, self));
        try {
            closed.close();
        } catch (IOException e) {
            LOG.debug("closing the old client", e);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    public RaftServer.Division division() throws IOException {
        RaftGroupId g = groupId;
        if (g == null) throw new IOException("not a member of any cluster yet");
        return server.getDivision(g);
    }

    /** This node's view of the group: roles, indices and every member's progress. */
    public RaftStatus status() throws IOException {
        RaftServer.Division d = division();
        RaftStatus s = DivisionStatus.of(d, self.getId().toString());
        String why = failure != null ? failure : membership.problem(d.getRaftConf(), s.leader() != null);
        return why == null ? s : s.failed(why);
    }

    /** The ids of the group's other members (voters and learners), as this node knows them. */
    public List<String> otherMemberIds() throws IOException {
        List<String> out = new ArrayList<>();
        for (RaftPeer p : division().getGroup().getPeers()) {
            if (!p.getId().equals(self.getId())) out.add(p.getId().toString());
        }
        return out;
    }

    /** The voting members' Raft addresses, by id, as this node knows them. */
    public java.util.Map<String, String> voterAddresses() throws IOException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER)) {
            out.put(p.getId().toString(), p.getAddress());
        }
        return out;
    }

    public RaftClient client() {
        return client;
    }

    public RaftGroupId groupId() {
        return groupId;
    }

    public RaftPeerId id() {
        return self.getId();
    }

    /** Operator-driven changes to this group's members. */
    public MembershipChanges membershipChanges() {
        return new MembershipChanges(this);
    }

    /** After {@link #startUnjoined()}: blocks until this server is a member (voter or learner) that knows its leader. */
    public void awaitMembership() throws IOException {
        while (true) {
            RaftServer s = server;
            if (s == null || s.getLifeCycleState().isClosingOrClosed()) throw new IOException("stopped before being added");
            try {
                if (groupId == null) {
                    // The operator's `cluster add` creates the group on this server first.
                    var groups = s.getGroupIds().iterator();
                    if (groups.hasNext()) groupId = groups.next();
                }
                var d = division();
                boolean member = d.getRaftConf().getAllPeers().stream().anyMatch(p -> p.getId().equals(self.getId()));
                boolean learner = d.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER)
                        .stream().anyMatch(p -> p.getId().equals(self.getId()));
                if (member && (d.getInfo().getLeaderId() != null || learner)) {
                    // A fresh client that knows the members (nothing was submitted through the old one).
                    RaftClient old = client;
                    java.util.Map<RaftPeerId, RaftPeer> members = new java.util.LinkedHashMap<>();
                    d.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER)
                            .forEach(p -> members.putIfAbsent(p.getId(), p));
                    client = newClient(RaftGroup.valueOf(groupId, members.values()));
                    if (old != null) old.close();
                    LOG.info("{} was added to the cluster", self.getId());
                    return;
                }
            } catch (IOException notYet) {
                // no division for the group until the leader contacts this server
            }
            sleepQuietly(200);
            if (Thread.currentThread().isInterrupted()) throw new IOException("interrupted while waiting to be added");
        }
    }

    /**
     * Starts this server with its group and no members, or with no group when it does not know
     * its cluster yet, and waits for an operator to add it ({@code cluster add}).
     */
    public void startUnjoined() throws IOException {
        start(groupId == null ? null : RaftGroup.valueOf(groupId));
        LOG.info("{} started; waiting to be added to the cluster", self.getId());
    }

    /** A client bound to the current members, for admin calls. */
    public RaftClient adminClient() throws IOException {
        return newClient(division().getGroup());
    }

    /** Stops this member; a leader first hands leadership over, so the others need no election. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops this member: a leader first hands leadership to its most up-to-date follower. Returns
     * that successor when the handover took place.
     */
    public Optional<String> stop() {
        QuietRatisStop.begin();
        stateMachine.stopping();
        Optional<String> successor = Optional.empty();
        if (server != null) {
            try {
                successor = LeadershipHandover.run(server, division(), HANDOVER_TIMEOUT).map(RaftPeerId::toString);
            } catch (IOException | RuntimeException e) {
                LOG.debug("No leadership handover: {}", e.toString());
            }
        }
        batcher.close();
        try {
            if (client != null) client.close();
        } catch (IOException e) {
            LOG.debug("closing client", e);
        }
        try {
            if (server != null) server.close();
        } catch (IOException e) {
            LOG.warn("Closing the Raft server failed: {}", e.toString());
        }
        security.close();
        return successor;
    }

    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
