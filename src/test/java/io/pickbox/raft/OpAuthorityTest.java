package io.pickbox.raft;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import io.pickbox.index.TrustChange;
import io.pickbox.trust.Addresses;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A member speaks only for itself: the checks made on each proposal before it reaches the log. */
class OpAuthorityTest {

    private final TestOps n2 = new TestOps("node2");
    private final TestOps n3 = new TestOps("node3");
    /** As a certificate gives them (Java writes an IPv6 address in its full form). */
    private static final List<String> NODE2_NAMES = List.of("10.0.0.2", "node2.lan", "0:0:0:0:0:0:0:1");

    @Test
    void opsOfTheCertificatesOwnNodePass() {
        List<Op> ops = List.of(n2.put("a.txt", "x", 0), n2.mkdir("d"), n2.hello("10.0.0.2:10001"), n2.hello("NODE2.lan:10001"),
                n2.hello("[::1]:10001"), n2.trust(1, new TrustChange.Revoke("node9")), new Op.Chunk(sha("c"), 3));
        assertThat(OpAuthority.problem(ops, "node2", NODE2_NAMES)).isNull();
    }

    @Test
    void anOpOfAnotherOriginAnywhereInABatchIsRefused() {
        List<Op> ops = List.of(n2.put("a.txt", "x", 0), n3.delete("b.txt", 4));
        assertThat(OpAuthority.problem(ops, "node2", NODE2_NAMES)).contains("claims to come from node3");
    }

    @Test
    void aHelloMayAnnounceOnlyAnAddressTheCertificateNames() {
        assertThat(OpAuthority.problem(List.of(n2.hello("10.0.0.3:10001")), "node2", NODE2_NAMES))
                .contains("does not name");
        assertThat(OpAuthority.problem(List.of(n2.hello("node3.lan:10001")), "node2", NODE2_NAMES))
                .contains("does not name");
    }

    @Test
    void hostsAreReadFromEveryAddressForm() {
        assertThat(OpAuthority.host("10.0.0.2:10001")).isEqualTo("10.0.0.2");
        assertThat(Addresses.matches(OpAuthority.host("[::1]:10001"), List.of("0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(Addresses.matches("::1", List.of("0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(Addresses.matches("1password.lan", List.of("1password.lan"))).as("a name, never looked up").isTrue();
        assertThat(Addresses.matches(OpAuthority.host("Node2.LAN:1"), List.of("node2.lan"))).isTrue();
    }
}
