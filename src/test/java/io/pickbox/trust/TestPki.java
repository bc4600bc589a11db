package io.pickbox.trust;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Certificates for tests: members of a Pickbox cluster, and the certificates a CA would never issue. */
final class TestPki {

    private static final AtomicLong SERIALS = new AtomicLong(1000);

    private TestPki() {
    }

    record Member(KeyPair keys, X509Certificate certificate, ClusterCa ca) {

        List<X509Certificate> chain() {
            return List.of(certificate, ca.certificate());
        }
    }

    static Member member(ClusterCa ca, String nodeId, String... addresses) {
        KeyPair keys = NodeKeys.generate();
        CertificateRequest request = CertificateRequest.create(keys, nodeId, List.of(addresses));
        return new Member(keys, ca.issue(request, Role.VOTER, Duration.ofDays(30)), ca);
    }

    static Member expiredMember(ClusterCa ca, String nodeId) {
        KeyPair keys = NodeKeys.generate();
        CertificateRequest request = CertificateRequest.create(keys, nodeId, List.of("127.0.0.1"));
        Instant now = Instant.now();
        return new Member(keys, ca.issue(request, Role.VOTER, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))), ca);
    }

    /** A certificate signed by the CA's key that names what the test says, with only the given extended key usages. */
    static X509Certificate signedBy(ClusterCa ca, PublicKey key, String subject, KeyPurposeId... usages) {
        return certificate(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), ca.signingKey(),
                new X500Name(subject), key, false, usages, "127.0.0.1");
    }

    /** An operator's own root CA. */
    static KeyPairAndCert externalCa(String subject) {
        KeyPair keys = NodeKeys.generate();
        X500Name name = new X500Name(subject);
        return new KeyPairAndCert(keys, certificate(name, keys.getPrivate(), name, keys.getPublic(), true, new KeyPurposeId[0]));
    }

    static KeyPairAndCert externalNode(KeyPairAndCert ca, String subject, String... addresses) {
        KeyPair keys = NodeKeys.generate();
        return new KeyPairAndCert(keys, certificate(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                ca.keys().getPrivate(), new X500Name(subject), keys.getPublic(), false,
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}, addresses));
    }

    record KeyPairAndCert(KeyPair keys, X509Certificate certificate) {
    }

    private static X509Certificate certificate(X500Name issuer, PrivateKey issuerKey, X500Name subject, PublicKey key, boolean isCa,
                                               KeyPurposeId[] usages, String... addresses) {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
        try {
            builder.addExtension(Extension.basicConstraints, true, isCa ? new BasicConstraints(0) : new BasicConstraints(false));
            if (usages.length > 0) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usages));
            }
            if (addresses.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        List.of(addresses).stream().map(Addresses::generalName).toArray(GeneralName[]::new)));
            }
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        return X509.certificate(builder.build(X509.signer(issuerKey)));
    }
}
