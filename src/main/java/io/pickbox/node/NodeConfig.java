package io.pickbox.node;

import java.nio.file.Path;
import java.time.Duration;

/** Everything one node needs to start; defaults follow the command-line conventions. */
public record NodeConfig(String nodeId, String host, int port, String adminHost, int adminPort, Path dataDir,
                         Path stateDir, String join, boolean bootstrap, long snapshotEvery, long segmentBytes,
                         Duration verifyInterval, String adminToken, boolean allowMassDelete) {

    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
    public static final long DEFAULT_SEGMENT_BYTES = 32L << 20;

    public NodeConfig {
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("node id must be 1-64 letters, digits, '.', '_' or '-': " + nodeId);
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (adminPort < 1 || adminPort > 65535) throw new IllegalArgumentException("admin port out of range: " + adminPort);
        if (port == adminPort) throw new IllegalArgumentException("the Raft port and the admin port must differ");
        dataDir = dataDir.toAbsolutePath().normalize();
        stateDir = (stateDir == null ? dataDir.resolve(".pickbox") : stateDir).toAbsolutePath().normalize();
    }

    public String adminAddress() {
        return adminHost + ":" + adminPort;
    }
}
