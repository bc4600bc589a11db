package io.pickbox.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pickbox.raft.Enrollment;
import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.ClusterCa;
import io.pickbox.trust.ClusterIds;
import io.pickbox.trust.InviteToken;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.Pem;
import io.pickbox.trust.PinnedCaTrustManager;
import io.pickbox.trust.Role;
import io.pickbox.trust.TlsFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * How a node gets its TLS identity the first time: the first node of a cluster makes the
 * cluster's id and CA and signs its own certificate; a joining node proves an invite to a member,
 * which signs its certificate request. Either way the files land in the state folder (keys 0600)
 * and later starts only load them.
 */
final class ClusterIdentity {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterIdentity.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

    private ClusterIdentity() {}

    /** A new cluster: its id, its CA, and this node's certificate, written to {@code files}. */
    static String bootstrap(TlsFiles files, String nodeId, List<String> addresses, Duration lifetime) throws IOException {
        String clusterId = ClusterIds.newClusterId();
        ClusterCa ca = ClusterCa.create(clusterId);
        KeyPair keys = NodeKeys.generate();
        X509Certificate cert = ca.issue(CertificateRequest.create(keys, nodeId, addresses), Role.VOTER, lifetime);
        files.write(keys.getPrivate(), List.of(cert, ca.certificate()), ca.certificate(), ca.keyPem());
        LOG.info("Created cluster {} and its certificate authority (fingerprint {})", clusterId, ca.fingerprint());
        return clusterId;
    }

    /**
     * Waits on this node's Raft port until a member's {@code cluster add} delivers its certificate
     * and cluster ({@link Admission#admitWaiting}); returns the cluster id.
     */
    static String awaitAdded(TlsFiles files, String nodeId, List<String> addresses, String host, int port) throws IOException {
        KeyPair keys = NodeKeys.generate();
        CertificateRequest request = CertificateRequest.create(keys, nodeId, addresses);
        String csr = request.pem();
        ObjectMapper json = new ObjectMapper();
        java.util.concurrent.CompletableFuture<String> added = new java.util.concurrent.CompletableFuture<>();
        // A throw-away certificate for this wait only: the member trusts the address its operator typed.
        X509Certificate throwaway = ClusterCa.create(ClusterIds.newClusterId()).issue(request, Role.VOTER, Duration.ofDays(1));
        Enrollment.Waiting waiting = new Enrollment.Waiting() {
            @Override
            public byte[] offer() {
                try {
                    return json.writeValueAsBytes(java.util.Map.of("nodeId", nodeId, "csr", csr));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public byte[] accept(byte[] delivery) throws Enrollment.Refused {
                try {
                    JsonNode d = json.readTree(delivery);
                    String caKey = d.hasNonNull("caKey") ? d.get("caKey").asText() : null;
                    ClusterCa ca = ClusterCa.fromPem(d.path("ca").asText(""), caKey);
                    List<X509Certificate> certs = Pem.readCertificates(d.path("certificate").asText(""));
                    if (certs.isEmpty() || !certs.get(0).getPublicKey().equals(keys.getPublic())) {
                        throw new Enrollment.Refused("the certificate is not for this node's key");
                    }
                    certs.get(0).verify(ca.certificate().getPublicKey());
                    if (ca.clusterId() == null || !ca.clusterId().equals(d.path("clusterId").asText())) {
                        throw new Enrollment.Refused("the CA is not the cluster's");
                    }
                    files.write(keys.getPrivate(), List.of(certs.get(0), ca.certificate()), ca.certificate(), caKey);
                    added.complete(ca.clusterId());
                    return new byte[0];
                } catch (Enrollment.Refused e) {
                    throw e;
                } catch (Exception e) {
                    throw new Enrollment.Refused("cannot take this certificate: " + e.getMessage());
                }
            }
        };
        try (AutoCloseable server = Enrollment.serveWaiting(host, port, keys.getPrivate(), throwaway, waiting)) {
            LOG.info("Waiting to be added: run `pickbox cluster add {} {}:{}` on any voter", nodeId, addresses.isEmpty() ? host : addresses.get(0), port);
            String clusterId = added.get();
            LOG.info("Received a certificate of cluster {}", clusterId);
            return clusterId;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopped while waiting to be added");
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("waiting to be added failed: " + e.getMessage(), e);
        }
    }

    /**
     * Joins through the member at {@code member} (its Raft address) with {@code token}: the member
     * is trusted only if it presents a certificate of the CA the token names.
     * @throws Enrollment.Refused when the member refused the invite, with its reason
     */
    static String enroll(TlsFiles files, String nodeId, List<String> addresses, String member, InviteToken token) throws IOException {
        KeyPair keys = NodeKeys.generate();
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        request.put("nodeId", nodeId);
        request.put("secret", Base64.getUrlEncoder().withoutPadding().encodeToString(token.secret()));
        request.put("csr", CertificateRequest.create(keys, nodeId, addresses).pem());
        byte[] replyBytes = Enrollment.join(member, new PinnedCaTrustManager(token.caFingerprint()),
                json.writeValueAsBytes(request), JOIN_TIMEOUT);
        JsonNode reply = json.readTree(replyBytes);
        String clusterId = reply.path("clusterId").asText("");
        if (!clusterId.equals(token.clusterId())) {
            throw new IOException(member + " answered for cluster " + clusterId + ", not the invite's " + token.clusterId());
        }
        String caKey = reply.hasNonNull("caKey") ? reply.get("caKey").asText() : null;
        ClusterCa ca = ClusterCa.fromPem(reply.path("ca").asText(""), caKey);
        if (!ca.fingerprint().equals(token.caFingerprint())) throw new IOException(member + " sent a CA that is not the invite's");
        List<X509Certificate> certs = Pem.readCertificates(reply.path("certificate").asText(""));
        if (certs.isEmpty() || !certs.get(0).getPublicKey().equals(keys.getPublic())) {
            throw new IOException(member + " sent a certificate that is not for this node's key");
        }
        files.write(keys.getPrivate(), List.of(certs.get(0), ca.certificate()), ca.certificate(), caKey);
        LOG.info("Joined cluster {} by invite as a {}; certificate valid until {}", clusterId,
                reply.path("role").asText("voter"), certs.get(0).getNotAfter().toInstant());
        return clusterId;
    }
}
