package io.pickbox.it;

import io.pickbox.index.Op;
import io.pickbox.raft.Proposal;
import io.pickbox.raft.RaftNode;
import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.ClusterCa;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.NodeTls;
import io.pickbox.trust.RevocationList;
import io.pickbox.trust.Role;
import io.pickbox.trust.TlsFiles;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What someone outside the cluster (or a member acting beyond its rights) can try against a node's
 * Raft and peer ports: Ratis clients and HTTPS requests with a member's real certificate, another
 * CA's, or none, and proposals of any op.
 */
final class OutsideClients {

    private OutsideClients() {}

    /** A member's own identity, read from its state folder as the node reads it. */
    static NodeTls memberIdentity(Path stateDir) throws IOException {
        return NodeTls.load(TlsFiles.in(stateDir), RevocationList.NONE);
    }

    /**
     * A certificate for {@code nodeId} at {@code addresses} from a CA made here, which names
     * {@code clusterId}: another cluster's id, or (a forged CA) the attacked cluster's own.
     */
    static NodeTls foreignIdentity(Path dir, String clusterId, String nodeId, List<String> addresses) throws IOException {
        ClusterCa ca = ClusterCa.create(clusterId);
        KeyPair keys = NodeKeys.generate();
        X509Certificate cert = ca.issue(CertificateRequest.create(keys, nodeId, addresses), Role.VOTER, Duration.ofDays(1));
        TlsFiles files = new TlsFiles(dir);
        files.write(keys.getPrivate(), List.of(cert, ca.certificate()), ca.certificate(), ca.keyPem());
        return NodeTls.load(files, RevocationList.NONE);
    }

    /** Trusts whatever server answers: the attacker wants its own certificate judged, not the server's. */
    static X509TrustManager anyServer() {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    /** TLS presenting {@code keys}'s certificate, trusting servers through {@code trust}. */
    static Parameters mutualTls(KeyManager keys, TrustManager trust) {
        Parameters p = new Parameters();
        GrpcConfigKeys.TLS.setConf(p, new GrpcTlsConfig(keys, trust, true));
        return p;
    }

    /** TLS without a client certificate. */
    static Parameters serverOnlyTls(TrustManager trust) {
        Parameters p = new Parameters();
        GrpcConfigKeys.TLS.setConf(p, new GrpcTlsConfig(null, trust, false));
        return p;
    }

    /** Plaintext gRPC. */
    static Parameters plaintext() {
        return new Parameters();
    }

    /** A Ratis client of group {@code clusterId} at {@code peers}, giving up after a few short attempts. */
    static RaftClient raftClient(String clusterId, List<RaftPeer> peers, Parameters parameters) {
        return raftClient(RaftNode.groupIdOf(clusterId), peers, parameters);
    }

    static RaftClient raftClient(RaftGroupId group, List<RaftPeer> peers, Parameters parameters) {
        RaftProperties props = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return RaftClient.newBuilder().setProperties(props).setParameters(parameters).setRaftGroup(RaftGroup.valueOf(group, peers))
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }

    static RaftPeer peer(String id, String address) {
        return RaftPeer.newBuilder().setId(id).setAddress(address).build();
    }

    /** A proposal that creates {@code path} with {@code content} (one inline chunk), claiming {@code origin}. */
    static Message inlinePut(Op.Origin origin, String path, byte[] content) {
        String sha = ItSupport.sha256(content);
        Op put = new Op.Put(origin, path, content.length, sha, List.of(sha), 0644, 1_700_000_000_000L, 0, true);
        return Proposal.message(put, ByteBuffer.wrap(content));
    }

    /** {@code action}'s failure, its whole chain of causes as text; fails the test if it succeeded. */
    static String failureOf(Callable<?> action) {
        Object result;
        try {
            result = action.call();
        } catch (Throwable t) {
            StringBuilder text = new StringBuilder();
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) text.append(c).append(" <- ");
            return text.toString();
        }
        throw new AssertionError("expected a refusal, got " + result);
    }

    /** Sends {@code message} as a write and waits for the reply (or the client giving up). */
    static Object write(RaftClient client, Message message) throws Exception {
        var reply = client.async().send(message).get(30, TimeUnit.SECONDS);
        if (!reply.isSuccess()) throw new IOException("refused: " + reply.getException());
        return reply;
    }

    /** An HTTPS client presenting {@code keys}'s certificate (none when null) and trusting servers through {@code trust}. */
    static HttpClient https(KeyManager keys, TrustManager trust) throws GeneralSecurityException {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(keys == null ? null : new KeyManager[] {keys}, new TrustManager[] {trust}, null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpResponse<byte[]> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
