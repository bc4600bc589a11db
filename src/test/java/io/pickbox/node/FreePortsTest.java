package io.pickbox.node;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node holds its ports from the moment it checks them until its own servers bind them. */
class FreePortsTest {

    private static NodeConfig config(int raft, int peer, int admin) {
        return NodeConfig.builder("n1", raft).peerPort(peer).adminPort(admin).build();
    }

    private static int[] threeFreePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0); ServerSocket c = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort(), c.getLocalPort()};
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    @Test
    void portsStayTakenUntilEachIsLetGo() throws IOException {
        int[] p = threeFreePorts();
        try (FreePorts held = FreePorts.hold(config(p[0], p[1], p[2]))) {
            assertThat(bindable(p[0])).as("Raft port while held").isFalse();
            assertThat(bindable(p[1])).as("peer port while held").isFalse();
            assertThat(bindable(p[2])).as("admin port while held").isFalse();

            held.releaseRaft();
            assertThat(bindable(p[0])).isTrue();
            assertThat(bindable(p[1])).isFalse();
            held.releasePeer();
            assertThat(bindable(p[1])).isTrue();
            assertThat(bindable(p[2])).isFalse();
        }
        assertThat(bindable(p[2])).as("admin port after close").isTrue();
    }

    @Test
    void aTakenPortIsNamedAndNoneIsKept() throws IOException {
        int[] p = threeFreePorts();
        try (ServerSocket taken = new ServerSocket(p[2], 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> FreePorts.hold(config(p[0], p[1], p[2])))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("admin port 127.0.0.1:" + p[2] + " is in use");
        }
        assertThat(bindable(p[0])).as("Raft port after the refusal").isTrue();
        assertThat(bindable(p[1])).as("peer port after the refusal").isTrue();
    }
}
