package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
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

    public record Settings(String nodeId, String host, int port, Path storageDir,
                           long snapshotEvery, SizeInBytes segmentSize) {}

    private final Settings settings;
    private final RaftGroupId groupId;
    private final RaftPeer self;
    private final PickboxStateMachine stateMachine;
    private RaftServer server;
    private volatile RaftClient client;

    public RaftNode(Settings settings, String clusterName, PickboxStateMachine stateMachine) {
        this.settings = settings;
        this.groupId = groupIdOf(clusterName);
        this.self = RaftPeer.newBuilder().setId(settings.nodeId()).setAddress(settings.host() + ":" + settings.port()).build();
        this.stateMachine = stateMachine;
    }

    /** True when a node with these settings has Raft state from an earlier run. */
    public static boolean hasState(Settings settings, String clusterName) {
        Path groupDir = settings.storageDir().resolve(groupIdOf(clusterName).getUuid().toString());
        return Files.isDirectory(groupDir.resolve("current"));
    }

    private static RaftGroupId groupIdOf(String clusterName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("pickbox:" + clusterName).getBytes(StandardCharsets.UTF_8)));
    }

    /** Starts a brand-new one-member cluster. */
    public void bootstrap() throws IOException {
        start(RaftGroup.valueOf(groupId, self));
        LOG.info("Bootstrapped a new cluster as {}", self.getId());
    }

    /** Restarts from existing state. */
    public void recover() throws IOException {
        start(RaftGroup.valueOf(groupId));
        LOG.info("Recovered Raft state of {}", self.getId());
    }

    /** Joins the cluster that the member at {@code target} (host:port of its Raft port) belongs to. */
    public void join(String target, boolean hadState) throws IOException {
        RaftPeer probe = RaftPeer.newBuilder().setId("join-probe").setAddress(target).build();
        List<RaftPeer> members;
        try (RaftClient c = newClient(RaftGroup.valueOf(groupId, probe))) {
            GroupInfoReply info = c.getGroupManagementApi(probe.getId()).info(groupId);
            members = new ArrayList<>(info.getGroup().getPeers());
        } catch (IOException e) {
            throw new IOException("cannot reach cluster member " + target + ": " + e.getMessage(), e);
        }
        boolean member = members.stream().anyMatch(p -> p.getId().equals(self.getId()));
        if (member && !hadState) {
            throw new IOException("node id " + self.getId() + " is still a member of the cluster but this node has no state; "
                    + "remove it first with `pickbox cluster remove " + self.getId() + "` or use another id");
        }
        start(RaftGroup.valueOf(groupId));
        if (member) {
            LOG.info("{} is already a member; rejoining", self.getId());
            return;
        }
        try (RaftClient c = newClient(RaftGroup.valueOf(groupId, members))) {
            addSelf(c);
        }
        LOG.info("Joined the cluster through {}", target);
    }

    /** Membership changes go one at a time: retry while another one is in progress. */
    private void addSelf(RaftClient c) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                RaftClientReply reply = c.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(self))
                        .setMode(SetConfigurationRequest.Mode.ADD).build());
                if (reply.isSuccess()) return;
                last = reply.getException() != null ? reply.getException() : new IOException("set configuration failed");
            } catch (IOException e) {
                last = e;
            }
            LOG.debug("Adding {} failed (attempt {}): {}", self.getId(), attempt + 1, last.getMessage());
            sleepQuietly(200L + (long) (Math.random() * 300));
        }
        throw new IOException("could not add " + self.getId() + " to the cluster: " + last.getMessage(), last);
    }

    private void start(RaftGroup group) throws IOException {
        RaftProperties props = RaftSettings.server(settings.host(), settings.port(), settings.storageDir(),
                settings.snapshotEvery(), settings.segmentSize());
        server = RaftServer.newBuilder().setServerId(self.getId()).setGroup(group).setProperties(props)
                .setStateMachine(stateMachine).setOption(RaftStorage.StartupOption.RECOVER).build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        client = newClient(RaftGroup.valueOf(groupId, self));
    }

    private RaftClient newClient(RaftGroup group) {
        RetryPolicy retry = ExponentialBackoffRetry.newBuilder()
                .setBaseSleepTime(TimeDuration.valueOf(50, TimeUnit.MILLISECONDS))
                .setMaxSleepTime(TimeDuration.valueOf(2, TimeUnit.SECONDS))
                .setMaxAttempts(40).build();
        return RaftClient.newBuilder().setProperties(RaftSettings.client()).setRaftGroup(group)
                .setClientId(ClientId.randomId()).setRetryPolicy(retry).build();
    }

    /** Proposes {@code op} (with its bytes for chunks and inline files); completes with apply's decision. */
    public CompletableFuture<Result> submit(Op op, ByteBuffer data) {
        return submit(Proposal.message(op, data));
    }

    public CompletableFuture<Result> submit(Message message) {
        RaftClient c = client;
        return c.async().send(message).whenComplete((reply, e) -> {
            if (e != null && rootCause(e) instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException) replaceClient(c);
        }).thenApply(reply -> {
            if (!reply.isSuccess()) {
                Exception e = reply.getException();
                throw new CompletionException(e != null ? e : new IOException("proposal failed"));
            }
            return OpCodec.decodeResult(reply.getMessage().getContent().toByteArray());
        });
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
        return server.getDivision(groupId);
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

    /** A client bound to the current members, for admin calls. */
    public RaftClient adminClient() throws IOException {
        return newClient(division().getGroup());
    }

    @Override
    public void close() {
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
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
