package io.pickbox.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pickbox.raft.Enrollment;
import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.ClusterCa;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.NodeTls;
import io.pickbox.trust.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renews this node's certificate through the cluster once two thirds of its life have passed, so
 * a node running for years never meets an expired one: a voter signs a new one itself, a learner
 * asks a voter (it checks at start-up too, for a node that was down a long time). New connections present the new certificate at once; the cluster records it so
 * that a removal revokes it too.
 */
final class CertificateRenewal implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final NodeTls tls;
    private final List<String> names;
    private final Duration lifetime;
    /** The voters' Raft addresses by id (a learner asks one of them). */
    private final Supplier<Map<String, String>> voters;
    /** Has the cluster record the new certificate (retried until it is committed). */
    private final Runnable record;
    private boolean expiryReported;

    CertificateRenewal(NodeTls tls, List<String> names, Duration lifetime,
                       Supplier<Map<String, String>> voters, Runnable record) {
        this.tls = tls;
        this.names = names;
        this.lifetime = lifetime;
        this.voters = voters;
        this.record = record;
    }

    /** How often to look: often enough to renew in time for the shortest lifetime, at most hourly. */
    static Duration checkInterval(Duration lifetime) {
        Duration tenth = lifetime.dividedBy(10);
        return tenth.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : tenth;
    }

    @Override
    public void run() {
        try {
            X509Certificate current = tls.certificate();
            Instant until = current.getNotAfter().toInstant();
            // Certificates are dated back for clock skew: their life is counted from their issue.
            Instant issued = current.getNotBefore().toInstant().plus(ClusterCa.CLOCK_SKEW);
            if (issued.isAfter(until)) issued = current.getNotBefore().toInstant();
            Instant due = issued.plus(Duration.between(issued, until).multipliedBy(2).dividedBy(3));
            if (Instant.now().isBefore(due)) return;
            renew(current);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Renewing this node's certificate failed (retried later): {}", e.getMessage());
            warnIfExpired();
        }
    }

    /**
     * Peers refuse an expired certificate, which they report as refusals in their own logs and
     * this node sees only as timeouts: say here what is going on, once.
     */
    private void warnIfExpired() {
        if (expiryReported || Instant.now().isBefore(tls.notAfter())) return;
        expiryReported = true;
        LOG.warn("This node's certificate expired on {}: every peer refuses it. A learner cannot renew an expired "
                + "certificate: remove it (`pickbox cluster remove {}`) and join it again with a new invite", tls.notAfter(),
                tls.self().nodeId());
    }

    private void renew(X509Certificate current) throws IOException {
        KeyPair keys = NodeKeys.generate();
        CertificateRequest csr = CertificateRequest.create(keys, tls.self().nodeId(), names);
        X509Certificate cert;
        // A voter signs its own: it may have been down past its certificate's end, when no peer
        // would accept it any more, and it can still come back.
        cert = tls.ca().canSign() ? tls.ca().issue(csr, tls.self().role(), lifetime) : askAVoter(csr);
        tls.replace(keys.getPrivate(), List.of(cert, tls.ca().certificate()));
        record.run();
        LOG.info("Renewed this node's certificate (the old one expires on {}); the new one is valid until {}",
                current.getNotAfter().toInstant(), cert.getNotAfter().toInstant());
    }

    private X509Certificate askAVoter(CertificateRequest csr) throws IOException {
        ObjectMapper json = new ObjectMapper();
        byte[] request = json.writeValueAsBytes(Map.of("csr", csr.pem()));
        IOException last = new IOException("no voter known");
        for (String address : voters.get().values()) {
            try {
                byte[] reply = Enrollment.renew(address, tls.keyManager(), tls.trustManager(), request, CALL_TIMEOUT);
                List<X509Certificate> certs = Pem.readCertificates(json.readTree(reply).path("certificate").asText(""));
                if (!certs.isEmpty()) return certs.get(0);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
