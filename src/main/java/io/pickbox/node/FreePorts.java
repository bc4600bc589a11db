package io.pickbox.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A node's ports, bound before it changes anything and held until its own servers bind them: a
 * joining node whose peer or admin port is taken would otherwise be made a voter, spend its invite
 * and then die, leaving a member that stalls a small cluster's writes. Checking and letting go
 * would leave another program the seconds a join takes to take the port.
 */
final class FreePorts implements AutoCloseable {

    private final ServerSocket raft, peer, admin;

    private FreePorts(ServerSocket raft, ServerSocket peer, ServerSocket admin) {
        this.raft = raft;
        this.peer = peer;
        this.admin = admin;
    }

    /** Binds the Raft, peer and admin ports, or says which one cannot be bound (and holds none). */
    static FreePorts hold(NodeConfig config) throws IOException {
        ServerSocket raft = bind("Raft", config.host(), config.port());
        ServerSocket peer = null;
        try {
            peer = bind("peer", config.host(), config.peerPort());
            return new FreePorts(raft, peer, bind("admin", config.adminHost(), config.adminPort()));
        } catch (IOException e) {
            closeQuietly(peer);
            closeQuietly(raft);
            throw e;
        }
    }

    /** Lets the Raft server bind its port. */
    void releaseRaft() {
        closeQuietly(raft);
    }

    /** Lets the peer server bind its port. */
    void releasePeer() {
        closeQuietly(peer);
    }

    /** Lets the admin server bind its port. */
    void releaseAdmin() {
        closeQuietly(admin);
    }

    @Override
    public void close() {
        releaseRaft();
        releasePeer();
        releaseAdmin();
    }

    private static ServerSocket bind(String which, String host, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            // As the servers bind: a port some closed connection still lingers on is free to them.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new IOException("the " + which + " port " + host + ":" + port + " is in use or cannot be bound (" + e.getMessage()
                    + "): stop what holds it or choose another port; nothing was changed", e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException ignored) {
            // a socket nobody else used
        }
    }
}
