package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Result.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Invites, certificates and revocations, decided in apply from committed times only. */
class ClusterTrustTest {

    private final Index index = new Index();

    @AfterEach
    void closeIndex() {
        index.close();
    }
    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");
    private long log;

    private Result apply(TestOps from, long at, TrustChange change) {
        return index.apply(from.trust(at, change), ++log);
    }

    private static TrustChange.Admit admit(String node, String serial, String inviteHash) {
        return new TrustChange.Admit(node, serial, 1_000_000, false, inviteHash);
    }

    @Test
    void anInviteAdmitsOnceAndOnlyBeforeItExpires() {
        apply(n1, 100, new TrustChange.Invite(sha("a"), 1_000, false));
        apply(n1, 100, new TrustChange.Invite(sha("b"), 1_000, false));

        assertThat(apply(n2, 500, admit("x", "01", sha("a"))).status()).isEqualTo(Status.APPLIED);
        Result again = apply(n1, 600, admit("y", "02", sha("a")));
        assertThat(again.status()).isEqualTo(Status.REJECTED);
        assertThat(again.detail()).contains("already used");

        Result late = apply(n1, 1_000, admit("z", "03", sha("b")));
        assertThat(late.status()).isEqualTo(Status.REJECTED);
        assertThat(late.detail()).contains("expired");
        assertThat(index.trust().isIssued("03")).isFalse();
        assertThat(index.trust().latestCertificates()).containsOnlyKeys("x");
    }

    @Test
    void anUnknownInviteAdmitsNobody() {
        Result r = apply(n1, 1, admit("x", "01", sha("never made")));
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(index.trust().latestCertificates()).isEmpty();
    }

    @Test
    void aLearnerInviteDoesNotAdmitAVoter() {
        apply(n1, 1, new TrustChange.Invite(sha("l"), 1_000, true));
        assertThat(index.trust().inviteProblem(sha("l"), 2, false)).contains("learner");
        assertThat(apply(n1, 2, admit("x", "01", sha("l"))).status()).isEqualTo(Status.REJECTED);
        assertThat(apply(n1, 3, new TrustChange.Admit("x", "01", 1_000_000, true, sha("l"))).status()).isEqualTo(Status.APPLIED);
    }

    @Test
    void revokingAMemberRevokesEveryCertificateItWasIssued() {
        apply(n1, 1, admit("x", "01", ""));
        apply(n1, 2, admit("x", "02", ""));
        apply(n1, 3, admit("y", "03", ""));
        apply(n1, 4, new TrustChange.Revoke("x"));

        assertThat(index.trust().isRevoked("01")).isTrue();
        assertThat(index.trust().isRevoked("02")).isTrue();
        assertThat(index.trust().isRevoked("03")).isFalse();
        assertThat(index.trust().latestCertificates()).containsOnlyKeys("y");
        // A revoked serial cannot be admitted again.
        assertThat(apply(n1, 5, admit("x", "01", "")).status()).isEqualTo(Status.REJECTED);
    }

    @Test
    void expiredStateIsDroppedAsCommittedTimePasses() {
        apply(n1, 1, new TrustChange.Invite(sha("a"), 100, false));
        apply(n1, 1, new TrustChange.Admit("x", "01", 200, false, ""));
        apply(n1, 2, new TrustChange.Revoke("x"));
        assertThat(index.trust().isRevoked("01")).isTrue();

        apply(n1, 300, new TrustChange.Admit("y", "02", 1_000, false, ""));
        assertThat(index.trust().pendingInvites()).as("expired, still remembered to say so").isOne();
        apply(n1, 100 + ClusterTrust.EXPIRED_INVITE_MEMORY_MILLIS, new TrustChange.Admit("y", "02", Long.MAX_VALUE, false, ""));
        assertThat(index.trust().pendingInvites()).isZero();
        assertThat(index.trust().isRevoked("01")).as("expired: refused anyway, no need to remember").isFalse();
        assertThat(index.trust().latestCertificates()).containsOnlyKeys("y");
    }

    @Test
    void outstandingInvitesAreBounded() {
        for (int i = 0; i < ClusterTrust.MAX_INVITES; i++) {
            assertThat(apply(n1, 1, new TrustChange.Invite(sha("i" + i), 1_000, false)).status()).isEqualTo(Status.APPLIED);
        }
        assertThat(apply(n1, 1, new TrustChange.Invite(sha("one more"), 1_000, false)).status()).isEqualTo(Status.REJECTED);
    }

    @Test
    void theLatestCertificateOfANodeIsTheOneExpiringLast() {
        apply(n1, 1, new TrustChange.Admit("x", "01", 500, false, ""));
        apply(n1, 2, new TrustChange.Admit("x", "02", 900, false, ""));
        assertThat(index.trust().latestCertificates().get("x").serial()).isEqualTo("02");
    }
}
