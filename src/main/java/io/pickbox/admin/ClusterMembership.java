package io.pickbox.admin;

import java.io.IOException;

/**
 * The membership changes the cluster endpoints make. Each returns once the change is committed;
 * one naming no current member throws {@link io.pickbox.raft.MembershipChanges.UnknownMemberException}.
 */
public interface ClusterMembership {

    /** Adds a running node as a voter (or promotes a learner) once it has caught up. */
    void addMember(String id, String address) throws IOException;

    void removeMember(String id) throws IOException;

    void transferLeadership(String id, long timeoutMs) throws IOException;
}
