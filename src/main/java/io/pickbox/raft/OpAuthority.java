package io.pickbox.raft;

import io.pickbox.index.Op;
import io.pickbox.trust.Addresses;

import java.util.List;

/**
 * A member speaks only for itself: every op it proposes names it as the origin (so it cannot
 * apply, or push ahead, another member's sequence), and the peer address it announces is one its
 * certificate names. Checked on the connection the proposal arrived by, before it reaches the log.
 */
final class OpAuthority {

    private OpAuthority() {}

    /** Why {@code ops} may not come from {@code nodeId} holding a certificate for {@code names}; null when they may. */
    static String problem(List<Op> ops, String nodeId, List<String> names) {
        for (Op op : ops) {
            if (op.origin().isNone()) continue; // a chunk: bytes named by their hash, nobody's sequence
            if (!op.origin().node().equals(nodeId)) {
                return "an op from " + nodeId + " claims to come from " + op.origin().node();
            }
            if (op instanceof Op.Hello h && !Addresses.matches(host(h.peerAddress()), names)) {
                return nodeId + " announced " + h.peerAddress() + ", an address its certificate does not name";
            }
        }
        return null;
    }

    /** The host of {@code host:port} or {@code [v6]:port} (brackets kept: {@link Addresses#matches} reads both forms). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }
}
