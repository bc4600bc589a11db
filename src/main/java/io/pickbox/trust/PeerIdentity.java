package io.pickbox.trust;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * A peer as its certificate names it.
 *
 * @param clusterId null for a certificate of an operator's own PKI
 */
public record PeerIdentity(String nodeId, String clusterId, Role role, BigInteger serial, Instant notAfter) {

    public PeerIdentity {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(notAfter, "notAfter");
    }

    /**
     * Reads the identity of a certificate. A Pickbox certificate ({@code O=pickbox-<id>}) must name its role; any other
     * is an operator's and speaks for a voter.
     */
    public static PeerIdentity of(X509Certificate certificate) {
        String nodeId = CertNames.commonName(certificate.getSubjectX500Principal());
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("certificate names no node: its subject (" + certificate.getSubjectX500Principal()
                    + ") has no CN");
        }
        String clusterId = CertNames.clusterId(certificate.getSubjectX500Principal());
        Role role = clusterId == null ? Role.VOTER : Role.ofOu(CertNames.organizationalUnit(certificate.getSubjectX500Principal()));
        return new PeerIdentity(nodeId, clusterId, role, certificate.getSerialNumber(), certificate.getNotAfter().toInstant());
    }
}
