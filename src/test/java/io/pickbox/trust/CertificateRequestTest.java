package io.pickbox.trust;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateRequestTest {

    @Test
    void pemRoundTripKeepsTheNodeAndItsAddresses() {
        CertificateRequest request = CertificateRequest.create(NodeKeys.generate(), "node1",
                List.of("198.18.0.1", "Node1.example.org", "[fd00::1]"));

        CertificateRequest read = CertificateRequest.fromPem(request.pem());

        assertThat(request.pem()).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n");
        assertThat(read.nodeId()).isEqualTo("node1");
        assertThat(read.addresses()).containsExactly("198.18.0.1", "Node1.example.org", "fd00:0:0:0:0:0:0:1");
        assertThat(read.signatureIsValid()).isTrue();
    }

    @Test
    void namesOnlyTheAddressesGiven() {
        assertThat(CertificateRequest.fromPem(CertificateRequest.create(NodeKeys.generate(), "n", List.of()).pem()).addresses()).isEmpty();
    }

    @Test
    void refusesAddressesThatAreNeitherIpNorDns() {
        assertThatThrownBy(() -> CertificateRequest.create(NodeKeys.generate(), "n", List.of("host name with spaces")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither an IP address nor a DNS name");
        assertThatThrownBy(() -> CertificateRequest.create(NodeKeys.generate(), "n", List.of("-bad.example")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesNodeIdsTheNodeWouldRefuse() {
        assertThatThrownBy(() -> CertificateRequest.create(NodeKeys.generate(), "a,OU=voter", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a node id");
    }

    @Test
    void malformedTextIsRefusedClearly() {
        assertThatThrownBy(() -> CertificateRequest.fromPem("hello"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a certificate request");
        assertThatThrownBy(() -> CertificateRequest.fromPem("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("damaged certificate request");
    }
}
