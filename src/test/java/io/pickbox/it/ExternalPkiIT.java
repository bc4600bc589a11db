package io.pickbox.it;

import io.pickbox.node.NodeConfig;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Operators with their own PKI pass --tls-cert, --tls-key and --tls-ca: nodes join with their
 * certificates alone (no invite), replicate over mutual TLS, and a node whose certificate another
 * CA signed is refused.
 */
class ExternalPkiIT {

    private static final Duration T = Duration.ofSeconds(40);
    private static final AtomicLong SERIALS = new AtomicLong(100);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;
    TestNode stranger;

    @AfterEach
    void stop() throws Exception {
        if (stranger != null) stranger.stop();
        if (cluster != null) cluster.close();
    }

    @Test
    void nodesWithTheOperatorsCertificatesFormAClusterAndOthersAreRefused() throws Exception {
        Issuer ca = Issuer.root("CN=Example Ops Root, O=Example");
        cluster = TestCluster.inJvm(base, 0);
        TestNode n1 = node(ca, false);
        n1.start();
        TestNode n2 = node(ca, true);
        n2.start();
        TestCluster.write(n1.file("ops/a.txt"), "signed by our own CA");
        awaitContent(cluster.nodes(), "ops/a.txt", "signed by our own CA", T);
        byte[] large = ItSupport.randomBytes(3 << 20, 3);
        ItSupport.write(n2.file("ops/large.bin"), large);
        awaitContent(cluster.nodes(), "ops/large.bin", large, T);
        assertThat(n1.config().stateDir().resolve("tls")).as("the cluster makes no certificates of its own").doesNotExist();
        // Invites are for clusters that issue their own certificates.
        assertThat(AdminHttp.postJson(n1.adminAddress(), "/v1/cluster/invites", "{}").statusCode()).isEqualTo(409);

        Issuer other = Issuer.root("CN=Someone Else, O=Elsewhere");
        stranger = node(other, true);
        assertThatThrownBy(stranger::start).hasMessageContaining("cannot reach").hasMessageContaining("TLS handshake failed");
        assertThat(AdminHttp.json(n1.get("/v1/status")).path("members")).hasSize(2);
        cluster.awaitConverged(T);
    }

    /** A node of the cluster with a certificate {@code ca} signed for it, joining through node1 when {@code joins}. */
    private TestNode node(Issuer ca, boolean joins) throws Exception {
        TestNode draft = cluster.newNode();
        Path dir = Files.createDirectories(base.resolve("pki").resolve(draft.id()));
        Path cert = dir.resolve("node.pem");
        Path key = dir.resolve("node.key");
        Path cas = dir.resolve("ca.pem");
        KeyPair keys = NodeKeys.generate();
        Files.writeString(cert, Pem.certificates(List.of(ca.issue(draft.id(), keys), ca.certificate)));
        Files.writeString(key, Pem.privateKey(keys.getPrivate()));
        Files.writeString(cas, Pem.certificate(ca.certificate));
        NodeConfig.Security own = new NodeConfig.Security(false, null, cert, key, cas, null);
        TestNode n = new TestNode(draft.id(), draft.port, draft.adminPort, draft.peerPort, draft.dir(), draft.log, null,
                b -> b.security(own), null);
        if (joins) n.join = cluster.node(0).raftAddress();
        if (ca.certificate.getSubjectX500Principal().getName().contains("Example Ops")) cluster.register(n);
        return n;
    }

    /** A CA of the operator's, made here as an operator's tools would. */
    private record Issuer(KeyPair keys, X509Certificate certificate) {
        static Issuer root(String subject) throws Exception {
            KeyPair keys = NodeKeys.generate();
            X500Name name = new X500Name(subject);
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIALS.incrementAndGet()), from(), until(), name,
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            return new Issuer(keys, sign(b, keys.getPrivate()));
        }

        X509Certificate issue(String nodeId, KeyPair node) throws Exception {
            var b = new JcaX509v3CertificateBuilder(certificate, BigInteger.valueOf(SERIALS.incrementAndGet()), from(), until(),
                    new X500Name("CN=" + nodeId + ", O=Example"), node.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
            return sign(b, keys.getPrivate());
        }

        private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        }

        private static Date from() {
            return Date.from(Instant.now().minus(Duration.ofHours(1)));
        }

        private static Date until() {
            return Date.from(Instant.now().plus(Duration.ofDays(30)));
        }
    }
}
