package io.pickbox.index;

/**
 * A change to who may belong to the cluster, carried by an {@link Op.Trust}: invites, the
 * certificates the cluster issued, and the members it removed. Applied to {@link ClusterTrust}.
 */
public sealed interface TrustChange {

    /** A one-time invite: the cluster keeps only the hash of its secret. */
    record Invite(String secretHash, long expiresAtMillis, boolean learner) implements TrustChange {}

    /**
     * A certificate the cluster issued to {@code nodeId}: through an invite (its secret's hash),
     * or with no invite for a renewal, an operator's {@code cluster add} or a new cluster's first node.
     */
    record Admit(String nodeId, String serial, long notAfterMillis, boolean learner, String inviteHash) implements TrustChange {
        public boolean usesInvite() {
            return !inviteHash.isEmpty();
        }
    }

    /** A member removed: every certificate the cluster issued to it is refused from now on. */
    record Revoke(String nodeId) implements TrustChange {}
}
