package io.pickbox.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pickbox.folder.Hashing;
import io.pickbox.index.Index;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;
import io.pickbox.raft.Enrollment;
import io.pickbox.raft.RaftNode;
import io.pickbox.sync.ClusterWriter;
import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.InviteToken;
import io.pickbox.trust.NodeTls;
import io.pickbox.trust.PeerIdentity;
import io.pickbox.trust.Pem;
import io.pickbox.trust.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Who may join the cluster, decided by any voter (each holds the cluster's CA): it makes invites,
 * admits a node that proves an invite's secret by signing its certificate request, and revokes a
 * removed member's certificates. The decisions that must be made once for the whole cluster (an
 * invite used once, a revocation) are committed ops ({@link TrustChange}).
 */
final class Admission implements Enrollment.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration MAX_INVITE_LIFETIME = Duration.ofDays(30);

    private final NodeTls tls;
    private final Index index;
    private final ClusterWriter writer;
    private final RaftNode raft;
    private final Duration certificateLifetime;
    private final ObjectMapper json = new ObjectMapper();

    Admission(NodeTls tls, Index index, ClusterWriter writer, RaftNode raft, Duration certificateLifetime) {
        this.tls = tls;
        this.index = index;
        this.writer = writer;
        this.raft = raft;
        this.certificateLifetime = certificateLifetime;
    }

    /** A new one-time invite, valid for {@code lifetime}; its text goes to the operator and nowhere else. */
    String invite(Duration lifetime, boolean learner) throws IOException {
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_INVITE_LIFETIME) > 0) {
            throw new IllegalArgumentException("an invite expires after 1 second to 30 days, not " + lifetime);
        }
        if (tls.clusterId() == null) {
            throw new IllegalStateException("this cluster uses your own certificates (--tls-cert): issue one to the new node instead of an invite");
        }
        if (!tls.ca().canSign()) throw new IllegalStateException("this member holds no CA key (a learner): make the invite on a voter");
        InviteToken token = InviteToken.create(tls.clusterId(), tls.ca().fingerprint());
        long expires = System.currentTimeMillis() + lifetime.toMillis();
        commit(new TrustChange.Invite(token.secretHash(), expires, learner), "make the invite");
        LOG.info("Invite made for a {}, valid until {}", learner ? "learner" : "voter", Instant.ofEpochMilli(expires));
        return token.encode();
    }

    /**
     * Gives the node waiting at {@code address} (started with --wait-to-be-added) its certificate:
     * the operator's {@code cluster add} is the authorization. A node that has its certificate
     * already (added before, or restarted) is left as it is.
     */
    void admitWaiting(String nodeId, String address) throws IOException {
        if (!tls.ca().canSign()) throw new IllegalStateException("this member holds no CA key (a learner): add the node through a voter");
        JsonNode offer;
        try {
            offer = json.readTree(Enrollment.offer(address, COMMIT_TIMEOUT));
        } catch (Enrollment.NotWaiting e) {
            LOG.debug("{}: {}", nodeId, e.getMessage());
            return;
        }
        if (!nodeId.equals(offer.path("nodeId").asText())) {
            throw new IllegalArgumentException(address + " is node " + offer.path("nodeId").asText() + ", not " + nodeId);
        }
        CertificateRequest csr;
        try {
            csr = CertificateRequest.fromPem(offer.path("csr").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IOException(address + " sent a bad certificate request: " + e.getMessage());
        }
        if (!csr.nodeId().equals(nodeId)) throw new IOException(address + " asks a certificate for " + csr.nodeId() + ", not " + nodeId);
        X509Certificate cert = tls.ca().issue(csr, Role.VOTER, certificateLifetime);
        record(nodeId, cert, false);
        ObjectNode delivery = json.createObjectNode();
        delivery.put("clusterId", tls.clusterId());
        delivery.put("certificate", Pem.certificate(cert));
        delivery.put("ca", tls.ca().pem());
        delivery.put("caKey", tls.ca().keyPem());
        Enrollment.accept(address, json.writeValueAsBytes(delivery), COMMIT_TIMEOUT);
        LOG.info("Gave {} ({}) its certificate, valid until {}", nodeId, address, cert.getNotAfter().toInstant());
    }

    /** Every certificate issued to {@code nodeId} is refused from now on. */
    void revoke(String nodeId) throws IOException {
        Result r = commit(new TrustChange.Revoke(nodeId), "revoke the certificates of " + nodeId);
        LOG.info("Revoked {}: {}", nodeId, r.detail());
    }

    @Override
    public byte[] join(byte[] request, String remote) throws Enrollment.Refused {
        JsonNode req;
        try {
            req = json.readTree(request);
        } catch (IOException e) {
            throw new Enrollment.Refused("malformed join request");
        }
        String nodeId = req.path("nodeId").asText("");
        if (!NODE_ID.matcher(nodeId).matches()) throw new Enrollment.Refused("invalid node id: " + nodeId);
        byte[] secret;
        try {
            secret = Base64.getUrlDecoder().decode(req.path("secret").asText(""));
        } catch (IllegalArgumentException e) {
            throw new Enrollment.Refused("malformed invite secret");
        }
        String hash = Hashing.sha256Hex(secret);
        CertificateRequest csr;
        try {
            csr = CertificateRequest.fromPem(req.path("csr").asText(""));
        } catch (IllegalArgumentException e) {
            throw new Enrollment.Refused("bad certificate request: " + e.getMessage());
        }
        if (!csr.nodeId().equals(nodeId)) throw new Enrollment.Refused("the certificate request names " + csr.nodeId() + ", not " + nodeId);

        // Said first: a wiped member restarted with the command (and used invite) it joined with learns why.
        if (isMember(nodeId)) {
            throw new Enrollment.Refused("node id " + nodeId + " is still a member of this cluster but this node has no state: "
                    + "remove it first (`pickbox cluster remove " + nodeId + "`) or choose another id");
        }
        boolean learner = index.trust().inviteIsForLearner(hash).orElse(false);
        String problem = index.trust().inviteProblem(hash, System.currentTimeMillis(), learner);
        if (problem != null) {
            LOG.warn("Refused to admit {} from {}: {}", nodeId, remote, problem);
            throw new Enrollment.Refused(problem);
        }
        if (!tls.ca().canSign()) throw new Enrollment.Refused("this member holds no CA key (a learner): join through a voter");

        X509Certificate cert;
        try {
            cert = tls.ca().issue(csr, learner ? Role.LEARNER : Role.VOTER, certificateLifetime);
        } catch (IllegalArgumentException e) {
            throw new Enrollment.Refused("bad certificate request: " + e.getMessage());
        }
        try {
            commit(new TrustChange.Admit(nodeId, cert.getSerialNumber().toString(16), cert.getNotAfter().getTime(), learner, hash),
                    "admit " + nodeId);
        } catch (IOException e) {
            LOG.warn("Refused to admit {} from {}: {}", nodeId, remote, e.getMessage());
            throw new Enrollment.Refused(e.getMessage());
        }
        LOG.info("Admitted {} ({}) as a {} by invite; its certificate is valid until {}", nodeId, remote,
                learner ? "learner" : "voter", cert.getNotAfter().toInstant());
        ObjectNode reply = json.createObjectNode();
        reply.put("clusterId", tls.clusterId());
        reply.put("role", learner ? "learner" : "voter");
        reply.put("certificate", Pem.certificate(cert));
        reply.put("ca", tls.ca().pem());
        // Voters can admit nodes in turn, so the cluster does not depend on its first node.
        if (!learner) reply.put("caKey", tls.ca().keyPem());
        try {
            return json.writeValueAsBytes(reply);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A member's new certificate for a new key, with the role and names it asks for under the id
     * its current certificate proves. Learners renew this way; voters sign their own.
     */
    @Override
    public byte[] renew(byte[] request, PeerIdentity member) throws Enrollment.Refused {
        if (member == null) throw new Enrollment.Refused("a renewal needs the member's current certificate");
        if (!tls.ca().canSign()) throw new Enrollment.Refused("this member holds no CA key (a learner): renew through a voter");
        CertificateRequest csr;
        try {
            csr = CertificateRequest.fromPem(json.readTree(request).path("csr").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            throw new Enrollment.Refused("bad certificate request: " + e.getMessage());
        }
        if (!csr.nodeId().equals(member.nodeId())) {
            throw new Enrollment.Refused(member.nodeId() + " may renew its own certificate only, not " + csr.nodeId() + "'s");
        }
        X509Certificate cert;
        try {
            cert = tls.ca().issue(csr, member.role(), certificateLifetime);
            record(member.nodeId(), cert, member.role() == Role.LEARNER);
        } catch (IllegalArgumentException | IOException e) {
            throw new Enrollment.Refused("cannot renew: " + e.getMessage());
        }
        LOG.info("Renewed the certificate of {}: valid until {}", member.nodeId(), cert.getNotAfter().toInstant());
        ObjectNode reply = json.createObjectNode();
        reply.put("certificate", Pem.certificate(cert));
        try {
            return json.writeValueAsBytes(reply);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds {@code member}, a learner that joined by invite, as a listener at the address it names. */
    @Override
    public byte[] listen(byte[] request, PeerIdentity member) throws Enrollment.Refused {
        if (member == null || member.role() != Role.LEARNER) throw new Enrollment.Refused("only a learner asks to be added as one");
        String address;
        try {
            address = json.readTree(request).path("address").asText("");
        } catch (IOException e) {
            throw new Enrollment.Refused("malformed request");
        }
        if (!address.matches("[A-Za-z0-9.\\-]{1,253}:\\d{1,5}|\\[[0-9A-Fa-f:.]{2,45}]:\\d{1,5}")) {
            throw new Enrollment.Refused("not a HOST:PORT address: " + address);
        }
        try {
            raft.membershipChanges().addListener(member.nodeId(), address);
        } catch (IOException e) {
            throw new Enrollment.Refused("could not add " + member.nodeId() + " as a learner: " + e.getMessage());
        }
        return new byte[0];
    }

    /** Records a certificate issued without an invite (a renewal), so a later removal revokes it too. */
    void record(String nodeId, X509Certificate cert, boolean learner) throws IOException {
        commit(new TrustChange.Admit(nodeId, cert.getSerialNumber().toString(16), cert.getNotAfter().getTime(), learner, ""),
                "record the certificate of " + nodeId);
    }

    private boolean isMember(String nodeId) {
        try {
            List<String> others = raft.otherMemberIds();
            return others.contains(nodeId) || raft.id().toString().equals(nodeId);
        } catch (IOException e) {
            return false;
        }
    }

    /** Commits {@code change}; an op apply refused is an error with apply's reason. */
    private Result commit(TrustChange change, String what) throws IOException {
        Result r;
        try {
            r = writer.trust(change).get(COMMIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while trying to " + what);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not " + what + " (no quorum?): " + (e.getCause() == null ? e : e.getCause()).getMessage());
        }
        if (r.status() == Result.Status.REJECTED) throw new IOException(r.detail());
        return r;
    }
}
