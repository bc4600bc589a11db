package io.pickbox.admin;

import io.pickbox.raft.RaftStatus;

import java.io.IOException;

/** Raft's view of the cluster from this node, read by the status endpoints and the gauges. */
@FunctionalInterface
public interface ClusterView {

    /** @throws IOException while this node has no Raft group yet */
    RaftStatus status() throws IOException;
}
