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

    /** The host of {@code host:port} or {@code [v6]:port}, in the one form {@link #canonical} gives. */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        return canonical(colon < 0 ? address : address.substring(0, colon));
    }

    /**
     * A host name lowercase, an address literal in Java's full form (so {@code ::1} and
     * {@code 0:0:0:0:0:0:0:1} are one), brackets dropped. Never a DNS lookup: only literals are parsed.
     */
    static String canonical(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        boolean literal = h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!literal) return h;
        try {
            return java.net.InetAddress.getByName(h).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return h;
        }
    }
}
