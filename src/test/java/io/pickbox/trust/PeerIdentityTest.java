package io.pickbox.trust;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerIdentityTest {

    @Test
    void aClusterCertificateNamesNodeClusterAndRole() {
        String clusterId = ClusterIds.newClusterId();
        ClusterCa ca = ClusterCa.create(clusterId);
        X509Certificate certificate = ca.issue(CertificateRequest.create(NodeKeys.generate(), "n2", List.of("10.0.0.2")),
                Role.LEARNER, Duration.ofDays(3));

        PeerIdentity identity = PeerIdentity.of(certificate);

        assertThat(identity.nodeId()).isEqualTo("n2");
        assertThat(identity.clusterId()).isEqualTo(clusterId);
        assertThat(identity.role()).isEqualTo(Role.LEARNER);
        assertThat(identity.serial()).isEqualTo(certificate.getSerialNumber());
        assertThat(identity.notAfter()).isEqualTo(certificate.getNotAfter().toInstant());
    }

    @Test
    void anOperatorsCertificateIsAVoterOfNoNamedCluster() {
        TestPki.KeyPairAndCert ca = TestPki.externalCa("CN=Example Corp Root, O=Example Corp");
        TestPki.KeyPairAndCert node = TestPki.externalNode(ca, "CN=storage-3.example.com, OU=Storage, O=Example Corp");

        PeerIdentity identity = PeerIdentity.of(node.certificate());

        assertThat(identity.nodeId()).isEqualTo("storage-3.example.com");
        assertThat(identity.clusterId()).isNull();
        assertThat(identity.role()).isEqualTo(Role.VOTER);
    }

    @Test
    void aCertificateWithoutCommonNameNamesNoNode() {
        TestPki.KeyPairAndCert ca = TestPki.externalCa("CN=Example Corp Root");
        TestPki.KeyPairAndCert node = TestPki.externalNode(ca, "O=Example Corp, OU=Storage");

        assertThatThrownBy(() -> PeerIdentity.of(node.certificate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no CN");
    }

    @Test
    void clusterIdsAre128RandomBitsInHex() {
        String id = ClusterIds.newClusterId();

        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(ClusterIds.isValid(id)).isTrue();
        assertThat(ClusterIds.newClusterId()).isNotEqualTo(id);
        assertThat(ClusterIds.isValid(id.toUpperCase())).isFalse();
        assertThat(ClusterIds.isValid(id.substring(1))).isFalse();
        assertThat(ClusterIds.isValid(null)).isFalse();
    }
}
