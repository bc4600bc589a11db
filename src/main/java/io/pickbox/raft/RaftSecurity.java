package io.pickbox.raft;

import io.pickbox.trust.NodeTls;
import io.pickbox.trust.PeerIdentity;
import io.pickbox.trust.RevocationList;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ClientAuth;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * How a member secures its Raft port: mutual TLS 1.3 with the cluster's certificates (servers,
 * peer channels and clients alike), or plaintext when the operator asked for it.
 *
 * <p>Ratis builds its own server TLS context with client certificates required; this one asks for
 * them without requiring them at the handshake, so that a node holding only an invite can make its
 * one call ({@link Enrollment}); {@link MemberAuthentication} requires a member's certificate for
 * every other call.
 */
public final class RaftSecurity {

    private final NodeTls tls;
    private final RevocationList revoked;
    private final RefusalLog refusals = new RefusalLog();
    private volatile Enrollment.Handler enrollment;
    private final ExecutorService enrollments = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "pickbox-enrollment");
        t.setDaemon(true);
        return t;
    });

    private RaftSecurity(NodeTls tls, RevocationList revoked) {
        this.tls = tls;
        this.revoked = revoked;
    }

    /** Plaintext: anyone who reaches the port is trusted. Only on the operator's request ({@code --insecure}). */
    public static RaftSecurity insecure() {
        return new RaftSecurity(null, RevocationList.NONE);
    }

    public static RaftSecurity tls(NodeTls tls, RevocationList revoked) {
        return new RaftSecurity(tls, revoked);
    }

    public boolean isTls() {
        return tls != null;
    }

    /** Where this member sends invites' join requests; none admits nobody. */
    public void admitWith(Enrollment.Handler handler) {
        this.enrollment = handler;
    }

    /** Where refused peers are logged (the trust manager's refusals included). */
    public RefusalLog refusals() {
        return refusals;
    }

    Parameters serverParameters() {
        Parameters p = clientParameters();
        if (tls == null) return p;
        GrpcConfigKeys.Server.setServicesCustomizer(p, (builder, types) -> {
            try {
                SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(tls.keyManager()))
                        .trustManager(tls.trustManager()).clientAuth(ClientAuth.OPTIONAL).protocols("TLSv1.3");
                builder.sslContext(ssl.build());
            } catch (SSLException e) {
                throw new UncheckedIOException(e);
            }
            builder.addService(Enrollment.service(new Enrollment.Handler() {
                @Override
                public byte[] join(byte[] request, String remote) throws Enrollment.Refused {
                    return handler().join(request, remote);
                }

                @Override
                public byte[] renew(byte[] request, PeerIdentity member) throws Enrollment.Refused {
                    return handler().renew(request, member);
                }

                @Override
                public byte[] listen(byte[] request, PeerIdentity member) throws Enrollment.Refused {
                    return handler().listen(request, member);
                }
            }, enrollments));
            return builder.intercept(new MemberAuthentication(revoked, refusals));
        });
        return p;
    }

    /** Asks the member at {@code target} to add this node as a listener (a learner cannot change the membership itself). */
    void askToListen(String target, String ownAddress) throws IOException {
        byte[] request = ("{\"address\": \"" + ownAddress + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Enrollment.listen(target, tls.keyManager(), tls.trustManager(), request, java.time.Duration.ofMinutes(2));
    }

    Parameters clientParameters() {
        Parameters p = new Parameters();
        if (tls != null) GrpcConfigKeys.TLS.setConf(p, new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true));
        return p;
    }

    private Enrollment.Handler handler() throws Enrollment.Refused {
        Enrollment.Handler h = enrollment;
        if (h == null) throw new Enrollment.Refused("this member is not ready to admit nodes yet; try again");
        return h;
    }

    void close() {
        enrollments.shutdownNow();
    }
}
