package io.pickbox.trust;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/** The cluster's certificate authority: its certificate, and on voters its key, which admits new nodes. */
public final class ClusterCa {

    static final Duration CA_VALIDITY = Duration.ofDays(20 * 365 + 5);
    /** Certificates start a little in the past so a peer whose clock is behind still accepts them. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String clusterId;

    private ClusterCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.key = key;
        this.clusterId = CertNames.clusterId(certificate.getSubjectX500Principal());
        if (key != null) {
            X509.requireKeyMatches(key, certificate, "cluster CA");
        }
    }

    /** A new self-signed CA for the cluster: it may sign node certificates and nothing that signs further. */
    public static ClusterCa create(String clusterId) {
        KeyPair keys = NodeKeys.generate();
        X500Name subject = CertNames.ca(clusterId);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, newSerial(), Date.from(now.minus(CLOCK_SKEW)),
                Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build the cluster CA's extensions", e);
        }
        return new ClusterCa(X509.certificate(builder.build(X509.signer(keys.getPrivate()))), keys.getPrivate());
    }

    /** Reads the CA's certificate, and its key when keyPemOrNull is given (a learner and an operator's PKI have none). */
    public static ClusterCa load(Path certPem, Path keyPemOrNull) throws IOException {
        String keyPem = keyPemOrNull == null ? null : Files.readString(keyPemOrNull, StandardCharsets.ISO_8859_1);
        try {
            return fromPem(Files.readString(certPem, StandardCharsets.ISO_8859_1), keyPem);
        } catch (IllegalArgumentException e) {
            throw new IOException(certPem + ": " + e.getMessage(), e);
        }
    }

    public static ClusterCa fromPem(String certPem, String keyPemOrNull) {
        X509Certificate certificate = Pem.readCertificates(certPem).get(0);
        return new ClusterCa(certificate, keyPemOrNull == null ? null : Pem.readPrivateKey(keyPemOrNull));
    }

    /** Writes the certificate, and the key if keyPemOrNull is given and this CA has one, by the rules of {@link TlsFiles}. */
    public void save(Path certPem, Path keyPemOrNull) throws IOException {
        TlsFiles.writeAtomically(certPem, pem());
        if (keyPemOrNull != null && canSign()) {
            TlsFiles.writeAtomically(keyPemOrNull, keyPem());
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The id of the cluster the CA was made for; null for a CA Pickbox did not make. */
    public String clusterId() {
        return clusterId;
    }

    /** SHA-256 of the certificate's DER encoding, 64 lowercase hex characters: what invite tokens pin. */
    public String fingerprint() {
        return X509.fingerprint(certificate);
    }

    public boolean canSign() {
        return key != null;
    }

    /**
     * Issues a node certificate for the key and addresses of the request, after checking that the requester holds that
     * key. It names the node, its role and this cluster, is good for TLS servers and clients, and starts a few minutes in
     * the past for peers whose clocks lag.
     */
    public X509Certificate issue(CertificateRequest request, Role role, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("a certificate's validity must be positive: " + validity);
        }
        Instant now = Instant.now();
        return issue(request, role, now.minus(CLOCK_SKEW), now.plus(validity));
    }

    /** Also issues certificates that are already expired or not yet valid, which the checks of peers must refuse. */
    X509Certificate issue(CertificateRequest request, Role role, Instant notBefore, Instant notAfter) {
        requireKey();
        if (clusterId == null) {
            throw new IllegalStateException("the CA " + certificate.getSubjectX500Principal() + " was not made by Pickbox:"
                    + " its operator issues the certificates");
        }
        if (!request.signatureIsValid()) {
            throw new IllegalArgumentException("the certificate request of " + request.nodeId()
                    + " is not signed by the key it carries: refused");
        }
        var builder = new X509v3CertificateBuilder(subject(), newSerial(), Date.from(notBefore), Date.from(notAfter),
                CertNames.node(request.nodeId(), role, clusterId), request.subjectPublicKeyInfo());
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(request.subjectPublicKeyInfo()));
            List<String> addresses = request.addresses();
            if (!addresses.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(addresses.stream().map(Addresses::generalName).toArray(GeneralName[]::new)));
            }
        } catch (CertIOException | NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot build the extensions of a node certificate", e);
        }
        return X509.certificate(builder.build(X509.signer(key)));
    }

    /** The CA certificate as PEM: what joining nodes receive. */
    public String pem() {
        return Pem.certificate(certificate);
    }

    /** The CA key as PKCS#8 PEM, handed to new voters so that any voter can admit nodes. */
    public String keyPem() {
        requireKey();
        return Pem.privateKey(key);
    }

    /** For tests that build certificates the CA itself would never issue. */
    PrivateKey signingKey() {
        requireKey();
        return key;
    }

    private void requireKey() {
        if (key == null) {
            throw new IllegalStateException("this node has the cluster CA's certificate but not its key: only a voter can sign");
        }
    }

    private X500Name subject() {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    /** Random, positive, and at most 127 bits so the DER integer fits the 20 octets RFC 5280 allows. */
    private static BigInteger newSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(127, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }
}
