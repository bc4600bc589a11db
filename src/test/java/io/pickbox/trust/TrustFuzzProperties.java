package io.pickbox.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;

import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of what a node reads from another that is not yet trusted: invite tokens, PEM
 * certificates and keys, certificate requests, and the names in a peer's certificate. Each reads
 * as a valid value or is refused with the exception its method documents, with a message.
 */
@AddLifecycleHook(FuzzTries.class)
class TrustFuzzProperties {

    private static final ClusterCa CA = ClusterCa.create(ClusterIds.newClusterId());
    private static final KeyPair KEYS = NodeKeys.generate();
    private static final CertificateRequest REQUEST = CertificateRequest.create(KEYS, "node-2", List.of("10.0.0.2", "node2.example"));
    private static final X509Certificate MEMBER = CA.issue(REQUEST, Role.LEARNER, Duration.ofDays(1));
    private static final String TOKEN = InviteToken.create(CA.clusterId(), CA.fingerprint()).encode();

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text damaged as text, and PEM blocks of the type whose DER is damaged (which reaches the DER parser). */
    private static Arbitrary<String> pems(String type, List<String> valid, List<byte[]> ders) {
        return Arbitraries.oneOf(Mutations.ofText(Arbitraries.of(valid)),
                Mutations.of(Arbitraries.of(ders)).map(der -> Pem.encode(type, der)));
    }

    @Provide
    Arbitrary<String> tokens() {
        return Mutations.ofText(Arbitraries.of(TOKEN, "  " + TOKEN + "\n"));
    }

    @Provide
    Arbitrary<String> certificates() {
        String chain = Pem.certificates(List.of(MEMBER, CA.certificate()));
        return pems("CERTIFICATE", List.of(chain, Pem.certificate(MEMBER)), List.of(der(MEMBER), der(CA.certificate())));
    }

    @Provide
    Arbitrary<String> privateKeys() {
        return pems("PRIVATE KEY", List.of(Pem.privateKey(KEYS.getPrivate())), List.of(KEYS.getPrivate().getEncoded()));
    }

    @Provide
    Arbitrary<String> requests() {
        return pems("CERTIFICATE REQUEST", List.of(REQUEST.pem()), List.of(Pem.blocks(REQUEST.pem(), "CERTIFICATE REQUEST").get(0)));
    }

    @Provide
    Arbitrary<byte[]> names() {
        return Mutations.of(Arbitraries.of(MEMBER.getSubjectX500Principal().getEncoded(), CA.certificate().getSubjectX500Principal().getEncoded()));
    }

    @Property(tries = 2000)
    void anInviteTokenParsesOrIsRefusedSayingWhy(@ForAll("tokens") String text) {
        Throwable t = catchThrowable(() -> {
            InviteToken token = InviteToken.parse(text);
            assertThat(InviteToken.parse(token.encode())).isEqualTo(token);
        });
        refusedAs(t, InvalidTokenException.class);
    }

    @Property(tries = 600)
    void certificatesReadOrAreRefused(@ForAll("certificates") String pem) {
        Throwable t = catchThrowable(() -> {
            for (X509Certificate c : Pem.readCertificates(pem)) {
                // what a node reads of a peer's certificate: its identity, or a refusal saying what it lacks
                Throwable refused = catchThrowable(() -> PeerIdentity.of(c));
                if (refused != null) assertThat(refused).isInstanceOf(IllegalArgumentException.class).message().isNotBlank();
                Addresses.of(c);
            }
        });
        refusedAs(t, IllegalArgumentException.class);
    }

    @Property(tries = 600)
    void privateKeysReadOrAreRefused(@ForAll("privateKeys") String pem) {
        refusedAs(catchThrowable(() -> Pem.readPrivateKey(pem)), IllegalArgumentException.class);
    }

    @Property(tries = 600)
    void certificateRequestsReadOrAreRefused(@ForAll("requests") String pem) {
        Throwable t = catchThrowable(() -> {
            CertificateRequest request = CertificateRequest.fromPem(pem);
            assertThat(CertNames.requireNodeId(request.nodeId())).isNotBlank();
            request.addresses().forEach(Addresses::require);
            request.signatureIsValid();
        });
        refusedAs(t, IllegalArgumentException.class);
    }

    /** Names the JDK accepts as a certificate's subject are read for their CN, OU and cluster without an exception. */
    @Property(tries = 2000)
    void theNamesInASubjectReadOrAreAbsent(@ForAll("names") byte[] der) {
        X500Principal principal;
        try {
            principal = new X500Principal(der);
        } catch (IllegalArgumentException notAName) {
            Assume.that(false);
            return;
        }
        Throwable t = catchThrowable(() -> {
            CertNames.commonName(principal);
            CertNames.organizationalUnit(principal);
            CertNames.clusterId(principal);
        });
        refusedAs(t, IllegalArgumentException.class);
    }

    private static void refusedAs(Throwable t, Class<? extends Throwable> documented) {
        Outcomes.count(t);
        if (t == null) return;
        assertThat(t).isInstanceOf(documented);
        assertThat(t.getMessage()).isNotBlank();
    }
}
