package io.pickbox.raft;

import io.pickbox.index.Op;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A member speaks only for itself: every op it proposes names it as the origin (so it cannot
 * apply, or push ahead, another member's sequence), and the peer address it announces is one its
 * certificate names. Checked on the connection the proposal arrived by, before it reaches the log.
 */
final class OpAuthority {

    private OpAuthority() {}

    /** Why {@code ops} may not come from {@code nodeId} holding a certificate for {@code addresses}; null when they may. */
    static String problem(List<Op> ops, String nodeId, Set<String> addresses) {
        for (Op op : ops) {
            if (op.origin().isNone()) continue; // a chunk: bytes named by their hash, nobody's sequence
            if (!op.origin().node().equals(nodeId)) {
                return "an op from " + nodeId + " claims to come from " + op.origin().node();
            }
            if (op instanceof Op.Hello h && !addresses.contains(host(h.peerAddress()))) {
                return nodeId + " announced " + h.peerAddress() + ", an address its certificate does not name";
            }
        }
        return null;
    }

    /** The host of {@code host:port} or {@code [v6]:port}, lowercase and without brackets. */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return host.toLowerCase(Locale.ROOT);
    }
}
