package io.pickbox.trust;

import org.junit.jupiter.api.Test;

import javax.security.auth.x500.X500Principal;

import static org.assertj.core.api.Assertions.assertThat;

/** A refusal names the peer by its certificate, however odd its subject. */
class RefusalNameTest {

    @Test
    void aCommonNameIsTheName() {
        assertThat(ClusterTrustManager.nameOf(new X500Principal("CN=node2,O=pickbox-abc"))).isEqualTo("node2");
    }

    @Test
    void aCommonNameThatIsNotUtf8GivesTheWholeSubjectInstead() {
        // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3 (CN), UTF8String 0xFF } } }
        byte[] der = {0x30, 0x0C, 0x31, 0x0A, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x01, (byte) 0xFF};
        X500Principal subject = new X500Principal(der);

        assertThat(ClusterTrustManager.nameOf(subject)).isEqualTo(subject.toString());
    }
}
