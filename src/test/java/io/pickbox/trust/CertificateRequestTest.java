package io.pickbox.trust;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateRequestTest {

    /** A signature that is not a whole number of bytes: the parser throws an IllegalStateException reading it. */
    @Test
    void aSignatureOfAnOddNumberOfBitsIsNotValid() throws Exception {
        CertificateRequest request = CertificateRequest.create(NodeKeys.generate(), "node-2", List.of("10.0.0.2"));
        org.bouncycastle.asn1.ASN1Sequence whole = org.bouncycastle.asn1.ASN1Sequence.getInstance(
                Pem.blocks(request.pem(), "CERTIFICATE REQUEST").get(0));
        byte[] signature = org.bouncycastle.asn1.ASN1BitString.getInstance(whole.getObjectAt(2)).getBytes();
        byte[] damaged = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                whole.getObjectAt(0), whole.getObjectAt(1), new org.bouncycastle.asn1.DERBitString(signature, 3)}).getEncoded();
        assertThat(CertificateRequest.fromPem(Pem.encode("CERTIFICATE REQUEST", damaged)).signatureIsValid()).isFalse();
    }

    /** A request whose extension request holds a tagged object where a set belongs: the parser throws an IllegalStateException of its own. */
    @Test
    void aRequestWithADamagedExtensionRequestIsRefusedAsDamaged() {
        String pem = """
                -----BEGIN CERTIFICATE REQUEST-----
                MIH+MIGkAgEAMBExDzANBgNVBAMMBm5vZGUtMjBZMBMGByqGSM49AgEGCCqGSM49
                AwEHA0IABBpCPTBHOTio2DKQFoAHBLNMqXUrKui0I9mlsGv6AtfDckHBoiFof1Eo
                mENZH+y3R9kZ5t6uo9ZxlChNjAcu+PqgMTAvBgkqhkiG9w0BCQ4xIjAgMB5LA1Ud
                EQQXMBWHBAoAAAKCDW5vZGUyLmV4YW1wbGUwCgYIKoZIzj0EAwIDSQAwRgIhAKH2
                91w/9AK0k/////+AAAAAoR3TqI49zJ5yzHyLo3PkAiEAvc4502fuH9HiqFbiyq49
                aQhNj01W/cMmGg7vYHi3d4U=
                -----END CERTIFICATE REQUEST-----
                """;
        assertThatThrownBy(() -> CertificateRequest.fromPem(pem))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("damaged certificate request: ");
    }

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
