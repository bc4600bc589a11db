package io.pickbox.trust;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A node's TLS material, loaded from files, with the cluster's checks on peers. */
public final class NodeTls {

    private final TlsFiles files;
    private final ClusterCa ca;
    private final NodeKeyManager keyManager;
    private final ClusterTrustManager trustManager;
    private final SSLContext sslContext;

    private NodeTls(TlsFiles files, ClusterCa ca, List<X509Certificate> anchors, PrivateKey key, List<X509Certificate> chain,
                    RevocationList revoked) {
        this.files = files;
        this.ca = ca;
        this.keyManager = new NodeKeyManager(key, chain);
        this.trustManager = new ClusterTrustManager(anchors, ca.clusterId(), revoked);
        this.sslContext = Tls13Context.createNative(keyManager, trustManager);
    }

    /** The node's own identity in {@code files}; every peer must name the cluster id of the CA there. */
    public static NodeTls load(TlsFiles files, RevocationList revoked) throws IOException {
        files.recover();
        if (!files.exists()) {
            throw new NoSuchFileException(files.dir().toString(), null, "no TLS identity here (node.pem, node.key and ca.pem)");
        }
        ClusterCa ca = ClusterCa.load(files.caCert(), Files.exists(files.caKey()) ? files.caKey() : null);
        if (ca.clusterId() == null) {
            throw new IOException(files.caCert() + ": not a Pickbox cluster CA (" + ca.certificate().getSubjectX500Principal() + ")");
        }
        PrivateKey key = readKey(files.nodeKey());
        List<X509Certificate> chain = withCa(readCertificates(files.nodeCert()), ca);
        try {
            requireIssuedBy(chain.get(0), ca);
            X509.requireKeyMatches(key, chain.get(0), files.nodeKey().toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new NodeTls(files, ca, List.of(ca.certificate()), key, chain, revoked);
    }

    /** An operator's PKI: the chain file (PEM, node certificate first), its PKCS#8 key and the CA bundle. No cluster id. */
    public static NodeTls loadExternal(Path certChain, Path key, Path caBundle, RevocationList revoked) throws IOException {
        List<X509Certificate> chain = readCertificates(certChain);
        PrivateKey privateKey = readKey(key);
        List<X509Certificate> cas = readCertificates(caBundle);
        try {
            X509.requireKeyMatches(privateKey, chain.get(0), key.toString());
            PeerIdentity.of(chain.get(0));
        } catch (IllegalArgumentException e) {
            throw new IOException(certChain + ": " + e.getMessage(), e);
        }
        ClusterCa ca = ClusterCa.fromPem(Pem.certificate(cas.get(0)), null);
        if (ca.clusterId() != null) {
            throw new IOException(caBundle + ": a Pickbox cluster CA; pass the state directory's tls files instead of --tls-*");
        }
        return new NodeTls(null, ca, cas, privateKey, chain, revoked);
    }

    /** Who this node is, as its current certificate says. */
    public PeerIdentity self() {
        return PeerIdentity.of(certificate());
    }

    /** The certificate this node presents now. */
    public X509Certificate certificate() {
        return keyManager.chain().get(0);
    }

    /** The cluster id every peer must name; null for an operator's PKI. */
    public String clusterId() {
        return ca.clusterId();
    }

    /** The cluster CA; it can sign only on a node that holds ca.key. */
    public ClusterCa ca() {
        return ca;
    }

    /** Presents the current key and chain, as server and as client. */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    public ClusterTrustManager trustManager() {
        return trustManager;
    }

    /** A TLS 1.3-only context from {@link #keyManager()} and {@link #trustManager()}, for Jetty and HttpClient; native where it can be. */
    public SSLContext sslContext() {
        return sslContext;
    }

    /**
     * Renewal: stores the new key and chain by the rules of {@link TlsFiles} and presents them in every handshake from now
     * on. A chain of the node certificate alone gets the CA certificate appended.
     */
    public void replace(PrivateKey key, List<X509Certificate> chain) throws IOException {
        if (files == null) {
            throw new IllegalStateException("certificates of an operator's PKI are renewed by the operator, not the cluster");
        }
        List<X509Certificate> full = withCa(chain, ca);
        X509Certificate leaf = full.get(0);
        try {
            requireIssuedBy(leaf, ca);
            X509.requireKeyMatches(key, leaf, "renewed certificate");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        String nodeId = self().nodeId();
        if (!PeerIdentity.of(leaf).nodeId().equals(nodeId)) {
            throw new IOException("the renewed certificate names " + PeerIdentity.of(leaf).nodeId() + ", not this node (" + nodeId + ")");
        }
        synchronized (this) {
            files.writeNode(key, full);
            keyManager.replace(key, full);
        }
    }

    /** When the current certificate expires. */
    public Instant notAfter() {
        return self().notAfter();
    }

    private static void requireIssuedBy(X509Certificate leaf, ClusterCa ca) {
        try {
            leaf.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the node certificate (" + leaf.getSubjectX500Principal()
                    + ") was not issued by the cluster CA (" + ca.certificate().getSubjectX500Principal() + ")", e);
        }
        String named = CertNames.clusterId(leaf.getSubjectX500Principal());
        if (!ca.clusterId().equals(named)) {
            throw new IllegalArgumentException("the node certificate names cluster " + named + ", its CA " + ca.clusterId());
        }
    }

    /** Our chains end with the CA so that a joining node finds the certificate its token pins. */
    private static List<X509Certificate> withCa(List<X509Certificate> chain, ClusterCa ca) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a node chain needs at least the node certificate");
        }
        if (chain.get(chain.size() - 1).equals(ca.certificate())) {
            return List.copyOf(chain);
        }
        List<X509Certificate> full = new ArrayList<>(chain);
        full.add(ca.certificate());
        return List.copyOf(full);
    }

    private static List<X509Certificate> readCertificates(Path file) throws IOException {
        try {
            return Pem.readCertificates(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try {
            return Pem.readPrivateKey(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
