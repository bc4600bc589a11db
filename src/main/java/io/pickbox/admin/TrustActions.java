package io.pickbox.admin;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The cluster's trust as an operator changes it: invites, and revoking a removed member's certificates. */
public interface TrustActions {

    /**
     * A new one-time invite token.
     * @throws IllegalStateException when this node cannot make invites (TLS off, no CA key, the operator's own PKI)
     */
    String invite(Duration lifetime, boolean learner) throws IOException;

    /**
     * Gives the node waiting at {@code address} (started with --wait-to-be-added) its certificate,
     * before it is added; nothing to do without TLS or for a node that has one.
     */
    void certify(String nodeId, String address) throws IOException;

    /** Refuses every certificate issued to {@code nodeId} from now on; nothing to do without TLS. */
    void revoke(String nodeId) throws IOException;

    /** When each member's latest certificate expires (empty without TLS). */
    Map<String, Instant> certificateExpiry();
}
