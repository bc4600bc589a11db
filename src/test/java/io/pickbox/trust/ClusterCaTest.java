package io.pickbox.trust;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClusterCaTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private final String clusterId = ClusterIds.newClusterId();
    private final ClusterCa ca = ClusterCa.create(clusterId);

    @Test
    void aNewCaIsASelfSignedCaForItsClusterOnly() throws Exception {
        X509Certificate certificate = ca.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Pickbox cluster CA,O=pickbox-" + clusterId);
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints()).isZero();
        assertThat(certificate.getKeyUsage()).containsExactly(false, false, false, false, false, true, true, false, false);
        assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(20 * 365)));
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(ca.clusterId()).isEqualTo(clusterId);
        assertThat(ca.canSign()).isTrue();
        assertThat(ca.fingerprint()).matches("[0-9a-f]{64}").isEqualTo(X509.fingerprint(certificate));
    }

    @Test
    void savedAndLoadedTheCaIsTheSameWithItsKeyOwnerOnly(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        ca.save(files.caCert(), files.caKey());

        ClusterCa loaded = ClusterCa.load(files.caCert(), files.caKey());

        assertThat(loaded.certificate()).isEqualTo(ca.certificate());
        assertThat(loaded.fingerprint()).isEqualTo(ca.fingerprint());
        assertThat(loaded.canSign()).isTrue();
        assertThat(Files.readString(files.caKey())).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.getPosixFilePermissions(files.caKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(files.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        X509Certificate issued = loaded.issue(CertificateRequest.create(NodeKeys.generate(), "n1", List.of()), Role.VOTER, Duration.ofDays(1));
        issued.verify(ca.certificate().getPublicKey());
    }

    @Test
    void aCaWithoutItsKeyCannotSign(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        ca.save(files.caCert(), null);

        ClusterCa learners = ClusterCa.load(files.caCert(), null);

        assertThat(Files.exists(files.caKey())).isFalse();
        assertThat(learners.canSign()).isFalse();
        assertThat(learners.clusterId()).isEqualTo(clusterId);
        assertThatThrownBy(learners::keyPem).isInstanceOf(IllegalStateException.class).hasMessageContaining("only a voter can sign");
        CertificateRequest request = CertificateRequest.create(NodeKeys.generate(), "n1", List.of());
        assertThatThrownBy(() -> learners.issue(request, Role.VOTER, Duration.ofDays(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pemRoundTrip() {
        ClusterCa copy = ClusterCa.fromPem(ca.pem(), ca.keyPem());

        assertThat(copy.certificate()).isEqualTo(ca.certificate());
        assertThat(copy.canSign()).isTrue();
        assertThat(ClusterCa.fromPem(ca.pem(), null).canSign()).isFalse();
    }

    @Test
    void aKeyOfAnotherCaIsRefused() {
        ClusterCa other = ClusterCa.create(clusterId);

        assertThatThrownBy(() -> ClusterCa.fromPem(ca.pem(), other.keyPem()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void issuesANodeCertificateNamingTheRequestAndTheCluster() throws Exception {
        KeyPair keys = NodeKeys.generate();
        CertificateRequest request = CertificateRequest.fromPem(
                CertificateRequest.create(keys, "node-2", List.of("198.18.0.2", "node2.lan", "::1")).pem());
        Instant before = Instant.now();

        X509Certificate certificate = ca.issue(request, Role.LEARNER, Duration.ofDays(90));

        certificate.verify(ca.certificate().getPublicKey());
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=node-2,OU=learner,O=pickbox-" + clusterId);
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(certificate.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(SAN_IP, "198.18.0.2"), List.of(SAN_DNS, "node2.lan"), List.of(SAN_IP, "0:0:0:0:0:0:0:1"));
        assertThat(certificate.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getNotBefore().toInstant()).isCloseTo(before.minus(Duration.ofMinutes(5)), within(Duration.ofSeconds(5)));
        assertThat(certificate.getNotAfter().toInstant()).isCloseTo(before.plus(Duration.ofDays(90)), within(Duration.ofSeconds(5)));
        assertThat(certificate.getSerialNumber()).isPositive();
        assertThat(certificate.getSerialNumber().bitLength()).isLessThanOrEqualTo(127);
        assertThat(certificate.getExtensionValue("2.5.29.35")).as("authority key id").isNotNull();
        assertThat(certificate.getExtensionValue("2.5.29.14")).as("subject key id").isNotNull();
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void everyCertificateHasItsOwnSerial() {
        CertificateRequest request = CertificateRequest.create(NodeKeys.generate(), "n1", List.of());
        BigInteger first = ca.issue(request, Role.VOTER, Duration.ofDays(1)).getSerialNumber();
        BigInteger second = ca.issue(request, Role.VOTER, Duration.ofDays(1)).getSerialNumber();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aRequestNotSignedByItsOwnKeyIsRefused() throws Exception {
        KeyPair claimed = NodeKeys.generate();
        KeyPair signer = NodeKeys.generate();
        ContentSigner wrongSigner = X509.signer(signer.getPrivate());
        String forged = Pem.encode("CERTIFICATE REQUEST",
                new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=intruder"), claimed.getPublic()).build(wrongSigner).getEncoded());
        CertificateRequest request = CertificateRequest.fromPem(forged);

        assertThatThrownBy(() -> ca.issue(request, Role.VOTER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not signed by the key it carries");
    }

    @Test
    void aValidityThatIsNotPositiveIsRefused() {
        CertificateRequest request = CertificateRequest.create(NodeKeys.generate(), "n1", List.of());

        assertThatThrownBy(() -> ca.issue(request, Role.VOTER, Duration.ofDays(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue(request, Role.VOTER, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
