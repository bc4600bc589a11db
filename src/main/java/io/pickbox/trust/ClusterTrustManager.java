package io.pickbox.trust;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Accepts a peer, as client or as server, only if its chain verifies up to the cluster CA (the only trust anchor: the
 * JDK's cacerts play no part), it names this cluster, it is within its validity, it may be used for its side of the
 * connection and it was not revoked. A server is also checked against the host it was reached at when the connection
 * asks for endpoint identification, as gRPC and HTTPS clients do. Each refusal is one {@link PeerRefusedException}
 * whose message names the peer and the reason, and is passed to the {@link #onRefusal} listeners.
 */
public final class ClusterTrustManager extends X509ExtendedTrustManager {

    private static final String TLS_1_3 = "TLSv1.3";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final List<X509Certificate> cas;
    private final Set<TrustAnchor> anchors;
    private final String clusterId;
    private final RevocationList revoked;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param cas       the certificates of the CAs to trust: the cluster CA, or an operator's bundle
     * @param clusterId the cluster every peer must name; null for an operator's PKI, whose certificates name none
     */
    public ClusterTrustManager(Collection<X509Certificate> cas, String clusterId, RevocationList revoked) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("a trust manager needs at least one CA certificate");
        }
        this.cas = List.copyOf(cas);
        this.anchors = this.cas.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toUnmodifiableSet());
        this.clusterId = clusterId == null ? null : ClusterIds.requireValid(clusterId);
        this.revoked = Objects.requireNonNull(revoked, "revoked");
    }

    /** Called with the message of every refusal, on the thread of the handshake. */
    public void onRefusal(Consumer<String> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, Peer.client(null));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, Peer.client(socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, Peer.client(engine == null ? null : engine.getHandshakeSession()));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, Peer.server(null, null));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        SSLSocket ssl = socket instanceof SSLSocket s ? s : null;
        check(chain, Peer.server(ssl == null ? null : ssl.getHandshakeSession(), ssl == null ? null : ssl.getSSLParameters()));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, Peer.server(engine == null ? null : engine.getHandshakeSession(), engine == null ? null : engine.getSSLParameters()));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return cas.toArray(X509Certificate[]::new);
    }

    private void check(X509Certificate[] chain, Peer peer) throws PeerRefusedException {
        if (chain == null || chain.length == 0) {
            throw refuse(peer, null, "it presented no certificate");
        }
        X509Certificate leaf = chain[0];
        String reason = reasonToRefuse(chain, peer);
        if (reason != null) {
            throw refuse(peer, leaf, reason);
        }
    }

    /** Null when the peer is accepted. The checks that explain best come first: another cluster, then expiry. */
    private String reasonToRefuse(X509Certificate[] chain, Peer peer) {
        X509Certificate leaf = chain[0];
        if (peer.protocol != null && peer.protocol.startsWith("TLSv1") && !peer.protocol.equals(TLS_1_3)) {
            return "it speaks " + peer.protocol + "; the cluster uses " + TLS_1_3 + " only";
        }
        String named = CertNames.clusterId(leaf.getSubjectX500Principal());
        if (clusterId != null && named != null && !named.equals(clusterId)) {
            return "certificate names cluster " + named + " not ours (" + clusterId + ")";
        }
        Instant now = Instant.now();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return "certificate expired on " + leaf.getNotAfter().toInstant();
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return "certificate is not valid before " + leaf.getNotBefore().toInstant() + " (is a clock wrong?)";
        }
        String chainProblem = verifyChain(chain, now);
        if (chainProblem != null) {
            return chainProblem;
        }
        if (clusterId != null && named == null) {
            return "certificate names no cluster (" + leaf.getSubjectX500Principal() + ")";
        }
        BigInteger serial = leaf.getSerialNumber();
        if (revoked.isRevoked(serial)) {
            return "certificate of removed member " + nodeName(leaf) + " (serial " + serial.toString(16) + ")";
        }
        String usage = peer.isServer ? SERVER_AUTH : CLIENT_AUTH;
        if (!allowsUsage(leaf, usage)) {
            return "certificate is not for TLS " + (peer.isServer ? "servers (no serverAuth" : "clients (no clientAuth")
                    + " extended key usage)";
        }
        return hostProblem(leaf, peer);
    }

    private String verifyChain(X509Certificate[] chain, Instant now) {
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        // A peer sends the CA after its own certificate; a path ends below its trust anchor.
        path.removeIf(cas::contains);
        if (path.isEmpty()) {
            return "it presented the CA certificate itself, not its own";
        }
        X509Certificate leaf = chain[0];
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return null;
        } catch (CertPathValidatorException e) {
            boolean issuerIsOurs = cas.stream().anyMatch(ca -> ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()));
            if (!issuerIsOurs || e.getReason() == PKIXReason.NO_TRUST_ANCHOR
                    || e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
                return "certificate from another CA (issuer " + leaf.getIssuerX500Principal() + ")";
            }
            return "certificate does not verify against the cluster CA: " + e.getMessage();
        } catch (GeneralSecurityException e) {
            return "certificate cannot be verified: " + e.getMessage();
        }
    }

    private static boolean allowsUsage(X509Certificate leaf, String usage) {
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            // A certificate without the extension may be used for anything (RFC 5280, 4.2.1.12).
            return usages == null || usages.contains(usage) || usages.contains(ANY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    private static String hostProblem(X509Certificate leaf, Peer peer) {
        if (!peer.identifiesEndpoint) {
            return null;
        }
        if (peer.host == null) {
            return "the connection asks to check the server's host, but names none";
        }
        List<String> names;
        try {
            names = Addresses.of(leaf.getSubjectAlternativeNames());
        } catch (CertificateParsingException e) {
            return "certificate has unreadable subject alternative names";
        }
        if (Addresses.matches(peer.host, names)) {
            return null;
        }
        return "certificate does not name " + peer.host + ", the host it was reached at (it names "
                + (names.isEmpty() ? "no address" : String.join(", ", names)) + ")";
    }

    private PeerRefusedException refuse(Peer peer, X509Certificate leaf, String reason) {
        String who = leaf == null ? "" : " " + nodeName(leaf);
        String where = peer.host == null ? "" : " at " + peer.host;
        String message = "refused " + (peer.isServer ? "server" : "client") + who + where + ": " + reason;
        listeners.forEach(listener -> listener.accept(message));
        return new PeerRefusedException(message);
    }

    private static String nodeName(X509Certificate certificate) {
        return nameOf(certificate.getSubjectX500Principal());
    }

    /** The name to tell a refusal by: the subject's CN, or the whole subject when the CN cannot be read. */
    static String nameOf(X500Principal subject) {
        try {
            String commonName = CertNames.commonName(subject);
            if (commonName != null) return commonName;
        } catch (IllegalArgumentException unreadable) {
            // a CN that is not UTF-8: the refusal must still be told, with the subject as it is
        }
        return subject.toString();
    }

    /** The side of the connection the peer is on, and what its handshake session says about it. */
    private record Peer(boolean isServer, String host, String protocol, boolean identifiesEndpoint) {

        static Peer client(SSLSession session) {
            return new Peer(false, session == null ? null : session.getPeerHost(), session == null ? null : session.getProtocol(), false);
        }

        static Peer server(SSLSession session, SSLParameters parameters) {
            String algorithm = parameters == null ? null : parameters.getEndpointIdentificationAlgorithm();
            return new Peer(true, session == null ? null : session.getPeerHost(), session == null ? null : session.getProtocol(),
                    algorithm != null && !algorithm.isEmpty());
        }
    }
}
