package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.trust.Addresses;
import io.pickbox.trust.PeerIdentity;
import io.pickbox.trust.RevocationList;
import io.pickbox.trust.Role;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.thirdparty.io.grpc.Context;
import org.apache.ratis.thirdparty.io.grpc.Contexts;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who may call what on the Raft port. The TLS handshake already refused certificates that are not
 * the cluster's ({@code trust.ClusterTrustManager}); here every call but an invite's join must come
 * with a member's certificate that was not revoked since the connection opened, every proposal must
 * come from the member that signs the connection ({@link OpAuthority}), every server message must
 * name that member as its sender, and only voters may change the membership.
 */
final class MemberAuthentication implements ServerInterceptor {

    private static final Context.Key<String> REMOTE = Context.key("pickbox-remote-address");
    private static final Context.Key<PeerIdentity> MEMBER = Context.key("pickbox-member");
    private static final String CLIENT_SERVICE = "ratis.grpc.RaftClientProtocolService";
    private static final String SERVER_SERVICE = "ratis.grpc.RaftServerProtocolService";
    private static final String ADMIN_SERVICE = "ratis.grpc.AdminProtocolService";
    /** The admin calls that change nothing. */
    private static final java.util.Set<String> LOOKS = java.util.Set.of(
            org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc.getGroupInfoMethod().getFullMethodName(),
            org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc.getGroupListMethod().getFullMethodName());

    private final RevocationList revoked;
    private final RefusalLog refusals;

    MemberAuthentication(RevocationList revoked, RefusalLog refusals) {
        this.revoked = revoked;
        this.refusals = refusals;
    }

    /** The member whose call is being served, as its certificate names it; null for an invite's join. */
    static PeerIdentity member() {
        return MEMBER.get();
    }

    /** The address of the peer whose call is being served (for logs). */
    static String remote() {
        String r = REMOTE.get();
        return r == null ? "unknown" : r;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String remote = describe(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        Context context = Context.current().withValue(REMOTE, remote);
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.equals(Enrollment.JOIN.getFullMethodName())) return Contexts.interceptCall(context, call, headers, next);

        Member member = member(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        String problem = member == null ? "no member certificate (a plaintext client, or a node that has not joined)"
                : revoked.isRevoked(member.identity().serial()) ? "certificate of " + member.identity().nodeId() + " was revoked (a removed member)"
                : null;
        if (problem != null) {
            refusals.refused(remote, problem);
            call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        // Membership and leadership are voters' business: a learner only follows (it may look).
        if (method.startsWith(ADMIN_SERVICE + "/") && !LOOKS.contains(method) && member.identity().role() != Role.VOTER) {
            String denied = member.identity().nodeId() + " is a learner: it may not change the cluster";
            refusals.refused(remote, denied);
            call.close(Status.PERMISSION_DENIED.withDescription(denied), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        ServerCall.Listener<Q> listener = Contexts.interceptCall(context.withValue(MEMBER, member.identity()), call, headers, next);
        if (!method.startsWith(CLIENT_SERVICE + "/") && !method.startsWith(SERVER_SERVICE + "/")) return listener;
        return new ProposalCheck<>(listener, call, member, remote);
    }

    /** Refuses, and closes the call on, the first proposal that does not come from the connection's member. */
    private final class ProposalCheck<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, R> call;
        private final Member member;
        private final String remote;
        private boolean closed;

        ProposalCheck(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, Member member, String remote) {
            super(delegate);
            this.call = call;
            this.member = member;
            this.remote = remote;
        }

        @Override
        public void onMessage(Q message) {
            if (closed) return;
            String problem = message instanceof RaftClientRequestProto r ? problem(r) : impersonation(message);
            if (problem != null) {
                closed = true;
                refusals.refused(remote + " (" + member.identity().nodeId() + ")", problem);
                call.close(Status.PERMISSION_DENIED.withDescription(problem), new Metadata());
                return;
            }
            super.onMessage(message);
        }

        private String problem(RaftClientRequestProto request) {
            switch (request.getTypeCase()) {
                case READ, STALEREAD, WATCH:
                    return null;
                case WRITE:
                    break;
                default:
                    // Streams and forwarded requests also reach the log; Pickbox sends none.
                    return "a client request of type " + request.getTypeCase() + " (only writes, reads and watches are served)";
            }
            if (revoked.isRevoked(member.identity().serial())) return "certificate of " + member.identity().nodeId() + " was revoked";
            List<Op> ops;
            try {
                ops = Proposal.parse(request.getMessage().getContent()).ops();
            } catch (IllegalArgumentException e) {
                return null; // malformed: the state machine refuses it with its own reason
            }
            return OpAuthority.problem(ops, member.identity().nodeId(), member.addresses());
        }

        /** A server's message (a vote, an append) must name the member the connection belongs to as its sender. */
        private String impersonation(Object message) {
            RaftRpcRequestProto rpc = message instanceof AppendEntriesRequestProto m ? m.getServerRequest()
                    : message instanceof RequestVoteRequestProto m ? m.getServerRequest()
                    : message instanceof InstallSnapshotRequestProto m ? m.getServerRequest()
                    : message instanceof StartLeaderElectionRequestProto m ? m.getServerRequest()
                    : message instanceof ReadIndexRequestProto m ? m.getServerRequest()
                    : null;
            if (rpc == null) return null;
            String sender = rpc.getRequestorId().toStringUtf8();
            return sender.equals(member.identity().nodeId()) ? null
                    : member.identity().nodeId() + " sent a server message as " + sender;
        }

        @Override
        public void onHalfClose() {
            if (!closed) super.onHalfClose();
        }

        @Override
        public void onReady() {
            if (!closed) super.onReady();
        }
    }

    /** A member as the connection's certificate names it. */
    private record Member(PeerIdentity identity, List<String> addresses) {}

    private static Member member(SSLSession ssl) {
        if (ssl == null) return null;
        try {
            var certs = ssl.getPeerCertificates();
            if (certs.length == 0 || !(certs[0] instanceof X509Certificate leaf)) return null;
            return new Member(PeerIdentity.of(leaf), Addresses.of(leaf));
        } catch (SSLPeerUnverifiedException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String describe(SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress a) return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return String.valueOf(address);
    }
}
