package io.pickbox.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A node's ports can be bound, checked before it changes anything: a joining node whose peer or
 * admin port is taken would otherwise be made a voter, spend its invite and then die, leaving a
 * member that stalls a small cluster's writes.
 */
final class FreePorts {

    private FreePorts() {
    }

    static void check(NodeConfig config) throws IOException {
        check("Raft", config.host(), config.port());
        check("peer", config.host(), config.peerPort());
        check("admin", config.adminHost(), config.adminPort());
    }

    private static void check(String which, String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            // As the servers bind: a port some closed connection still lingers on is free to them.
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IOException("the " + which + " port " + host + ":" + port + " is in use or cannot be bound (" + e.getMessage()
                    + "): stop what holds it or choose another port; nothing was changed", e);
        }
    }
}
