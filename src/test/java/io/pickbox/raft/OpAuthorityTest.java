package io.pickbox.raft;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Op;
import io.pickbox.index.TestOps;
import io.pickbox.index.TrustChange;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** A member speaks only for itself: the checks made on each proposal before it reaches the log. */
class OpAuthorityTest {

    private final TestOps n2 = new TestOps("node2");
    private final TestOps n3 = new TestOps("node3");
    /** As MemberAuthentication reads them from a certificate. */
    private static final Set<String> NODE2_NAMES = Set.of("10.0.0.2", "node2.lan", OpAuthority.canonical("::1"));

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
        assertThat(OpAuthority.host("[::1]:10001")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(OpAuthority.canonical("0:0:0:0:0:0:0:1")).isEqualTo(OpAuthority.canonical("::1"));
        assertThat(OpAuthority.canonical("1password.lan")).as("a name, never looked up").isEqualTo("1password.lan");
        assertThat(OpAuthority.host("Node2.LAN:1")).isEqualTo("node2.lan");
    }
}
