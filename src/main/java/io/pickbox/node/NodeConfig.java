package io.pickbox.node;

import io.pickbox.folder.PathValidator;
import io.pickbox.sync.MassChangeDetector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything one node needs to start. {@link #builder} holds the command line's defaults and
 * {@link #toArgs} renders a config as the options of {@code pickbox node start}, so a config made
 * in code and one parsed from a command line are the same thing.
 *
 * @param adminToken     the admin API's bearer token, in memory only: never rendered as an option
 *                       (every local user can read a command line) nor by {@link #toString}
 * @param adminTokenFile the file the token was read from, or null when it came from the environment
 * @param advertise      the names and addresses other machines reach this node by, beyond {@code host};
 *                       the first is the one peers dial
 */
public record NodeConfig(String nodeId, String host, int port, String adminHost, int adminPort, Path dataDir,
                         Path stateDir, String join, boolean bootstrap, long snapshotEvery, long segmentBytes,
                         Duration verifyInterval, String adminToken, boolean allowMassDelete,
                         Path adminTokenFile, List<String> advertise, int peerPort, Security security,
                         History history) {

    /**
     * Version history and mass changes. The history's settings are the cluster's (committed, the
     * same on every node): given here, the node proposes them once it runs if they differ.
     *
     * @param days             --history-days: how long replaced and deleted versions are kept (0: not at
     *                         all); null when not given, and the cluster's setting stands
     * @param maxBytes         --history-max-bytes: the most they may take (0: relative to the folder's
     *                         size); null when not given
     * @param massChangeFiles  --mass-change-files: more files than this deleted or rewritten by one node
     *                         within {@code massChangeWindow} is flagged as a mass change
     * @param massChangeWindow --mass-change-window
     */
    public record History(Integer days, Long maxBytes, int massChangeFiles, Duration massChangeWindow) {

        /** What the cluster keeps when nobody set it. */
        public static final int DEFAULT_DAYS = 30;

        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        public History {
            if (days != null && (days < 0 || days > 36_500)) throw new IllegalArgumentException("--history-days must be 0 to 36500: " + days);
            if (maxBytes != null && maxBytes < 0) throw new IllegalArgumentException("--history-max-bytes cannot be negative: " + maxBytes);
            if (massChangeWindow == null) massChangeWindow = MassChangeDetector.Settings.DEFAULT_WINDOW;
            massChanges(massChangeFiles, massChangeWindow); // checks them
        }

        public static History defaults() {
            return new History(null, null, MassChangeDetector.Settings.DEFAULT_FILES, MassChangeDetector.Settings.DEFAULT_WINDOW);
        }

        /** The history settings to propose: {@code days} and {@code maxBytes} -1 where unchanged. */
        public record Change(int days, long maxBytes) {}

        /**
         * What these options change in the cluster's committed settings ({@code days},
         * {@code maxBytesSetting}): the ones given that differ; null when none does.
         */
        public Change changeFrom(int committedDays, long committedMaxBytes) {
            int d = days != null && days != committedDays ? days : -1;
            long b = maxBytes != null && maxBytes != committedMaxBytes ? maxBytes : -1;
            return d < 0 && b < 0 ? null : new Change(d, b);
        }

        public MassChangeDetector.Settings massChanges() {
            return massChanges(massChangeFiles, massChangeWindow);
        }

        private static MassChangeDetector.Settings massChanges(int files, Duration window) {
            return new MassChangeDetector.Settings(files, window);
        }

        /** A duration as an operator writes it: 60s, 5m, 1h, 1500ms (a bare number is seconds). */
        public static Duration parseDuration(String text) {
            var m = DURATION.matcher(text == null ? "" : text.strip());
            if (!m.matches()) throw new IllegalArgumentException("a duration looks like 60s, 5m or 1h: " + text);
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }

        /** As {@link #parseDuration} reads it back. */
        static String render(Duration d) {
            long ms = d.toMillis();
            if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
            if (ms % 60_000 == 0) return ms / 60_000 + "m";
            if (ms % 1000 == 0) return ms / 1000 + "s";
            return ms + "ms";
        }
    }

    /**
     * How the node secures its connections to peers.
     *
     * @param insecure     plaintext, on the operator's explicit request
     * @param inviteToken  the invite a new node joins with; unused once it has state
     * @param tlsCert      with tlsKey and tlsCa: the operator's own certificates instead of the cluster's
     * @param certLifetime how long a certificate this node issues is valid
     */
    public record Security(boolean insecure, String inviteToken, Path tlsCert, Path tlsKey, Path tlsCa, Duration certLifetime) {

        public static final Duration DEFAULT_CERT_LIFETIME = Duration.ofDays(365);

        public Security {
            int given = (tlsCert == null ? 0 : 1) + (tlsKey == null ? 0 : 1) + (tlsCa == null ? 0 : 1);
            if (given != 0 && given != 3) throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together");
            if (insecure && given == 3) throw new IllegalArgumentException("--insecure and --tls-cert contradict each other");
            if (insecure && inviteToken != null) throw new IllegalArgumentException("--insecure and an invite token contradict each other: invites admit nodes to a TLS cluster");
            if (certLifetime == null) certLifetime = DEFAULT_CERT_LIFETIME;
            if (certLifetime.toSeconds() < 60) throw new IllegalArgumentException("certificates must be valid for a minute at least");
        }

        public static Security defaults() {
            return new Security(false, null, null, null, null, DEFAULT_CERT_LIFETIME);
        }

        public boolean externalPki() {
            return tlsCert != null;
        }

        /** Never prints the invite token. */
        @Override
        public String toString() {
            return "Security[" + (insecure ? "insecure" : externalPki() ? "tls " + tlsCert : "tls")
                    + (inviteToken != null ? ", invite token" : "") + "]";
        }
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final long DEFAULT_VERIFY_SECONDS = 180;
    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
    /**
     * Ratis keeps every entry of the open log segment in memory (headers only, about twice their
     * size on disk), whatever its cache limits say: 8 MiB segments hold that to some 16 MiB of heap.
     */
    public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
    /** The admin port is the Raft port plus this unless given. */
    public static final int ADMIN_PORT_OFFSET = 1000;
    /** The peer port (chunks between nodes) is the Raft port plus this unless given. */
    public static final int PEER_PORT_OFFSET = 2000;
    /** A host name, or an IPv4 or IPv6 address (bracketed or not): no port. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[?[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*]?");

    public NodeConfig {
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("node id must be 1-64 letters, digits, '.', '_' or '-': " + nodeId);
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (adminPort < 1 || adminPort > 65535) throw new IllegalArgumentException("admin port out of range: " + adminPort);
        if (peerPort < 1 || peerPort > 65535) throw new IllegalArgumentException("peer port out of range: " + peerPort);
        if (port == adminPort || port == peerPort || adminPort == peerPort) {
            throw new IllegalArgumentException("the Raft, admin and peer ports must differ");
        }
        advertise = advertise == null ? List.of() : List.copyOf(advertise);
        for (String name : advertise) {
            if (!HOST_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--advertise takes a host name or an address, without a port: " + name);
            }
        }
        if (advertise.isEmpty() && isWildcard(host)) {
            throw new IllegalArgumentException("a node bound to every address (--host " + host + ") needs --advertise: the address peers reach it at");
        }
        if (adminTokenFile != null) adminTokenFile = adminTokenFile.toAbsolutePath().normalize();
        if (security == null) security = Security.defaults();
        if (history == null) history = History.defaults();
        dataDir = dataDir.toAbsolutePath().normalize();
        stateDir = (stateDir == null ? defaultStateDir(dataDir) : stateDir).toAbsolutePath().normalize();
    }

    /** A config with the command line's defaults for everything but the id and the Raft port. */
    public static Builder builder(String nodeId, int port) {
        return new Builder(nodeId, port);
    }

    /** A builder holding this config, to derive a changed one. */
    public Builder toBuilder() {
        return new Builder(nodeId, port).host(host).adminHost(adminHost).adminPort(adminPort).dataDir(dataDir)
                .stateDir(stateDir).join(join).bootstrap(bootstrap).snapshotEvery(snapshotEvery)
                .segmentBytes(segmentBytes).verifyInterval(verifyInterval).adminToken(adminToken)
                .allowMassDelete(allowMassDelete).adminTokenFile(adminTokenFile).advertise(advertise).peerPort(peerPort)
                .security(security).history(history);
    }

    public String adminAddress() {
        return adminHost + ":" + adminPort;
    }

    /** The name peers reach this node by: the first --advertise name, else the bound host. */
    public String advertisedHost() {
        return advertise.isEmpty() ? host : advertise.get(0);
    }

    /** Where peers reach this node's Raft port. */
    public String raftAddress() {
        return hostPort(advertisedHost(), port);
    }

    /** Where peers push and fetch chunks. */
    public String peerAddress() {
        return hostPort(advertisedHost(), peerPort);
    }

    /** The names this node's certificate carries: every advertised name, and the bound host unless it is a wildcard. */
    public List<String> certificateNames() {
        List<String> names = new ArrayList<>();
        for (String a : advertise) names.add(a.replace("[", "").replace("]", ""));
        if (!isWildcard(host) && !names.contains(host)) names.add(host);
        return names;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** Never prints the admin token or an invite. */
    @Override
    public String toString() {
        return "NodeConfig[nodeId=" + nodeId + ", host=" + host + ", port=" + port + ", adminHost=" + adminHost
                + ", adminPort=" + adminPort + ", peerPort=" + peerPort + ", dataDir=" + dataDir + ", stateDir=" + stateDir
                + ", join=" + join + ", bootstrap=" + bootstrap + ", snapshotEvery=" + snapshotEvery + ", segmentBytes=" + segmentBytes
                + ", verifyInterval=" + verifyInterval + ", adminToken=" + (adminToken == null ? "none" : "(set)")
                + ", allowMassDelete=" + allowMassDelete + ", adminTokenFile=" + adminTokenFile
                + ", advertise=" + advertise + ", " + security + ", " + history + "]";
    }

    /**
     * The options of {@code pickbox node start} that give this config: the id, ports and folder
     * always, everything else only where it differs from the default. Secrets are not options: the
     * admin token is named by its file, or else goes in the environment ({@code PICKBOX_ADMIN_TOKEN},
     * as {@code NodeCommandLine} passes it), and so does an invite ({@code PICKBOX_INVITE_TOKEN}).
     */
    public List<String> toArgs() {
        List<String> a = new ArrayList<>(List.of("--node-id", nodeId, "--port", String.valueOf(port),
                "--admin-port", String.valueOf(adminPort), "--data-dir", dataDir.toString()));
        if (!host.equals(DEFAULT_HOST)) a.addAll(List.of("--host", host));
        if (!adminHost.equals(DEFAULT_HOST)) a.addAll(List.of("--admin-host", adminHost));
        if (!stateDir.equals(defaultStateDir(dataDir))) a.addAll(List.of("--state-dir", stateDir.toString()));
        if (join != null) a.addAll(List.of("--join", join));
        if (bootstrap) a.add("--bootstrap");
        if (verifyInterval.toSeconds() != DEFAULT_VERIFY_SECONDS) {
            a.addAll(List.of("--verify-interval", String.valueOf(verifyInterval.toSeconds())));
        }
        if (adminTokenFile != null) a.addAll(List.of("--admin-token-file", adminTokenFile.toString()));
        if (allowMassDelete) a.add("--allow-mass-delete");
        for (String name : advertise) a.addAll(List.of("--advertise", name));
        if (peerPort != port + PEER_PORT_OFFSET) a.addAll(List.of("--peer-port", String.valueOf(peerPort)));
        if (security.insecure()) a.add("--insecure");
        if (security.externalPki()) {
            a.addAll(List.of("--tls-cert", security.tlsCert().toString(), "--tls-key", security.tlsKey().toString(),
                    "--tls-ca", security.tlsCa().toString()));
        }
        if (!security.certLifetime().equals(Security.DEFAULT_CERT_LIFETIME)) {
            a.addAll(List.of("--cert-lifetime", String.valueOf(security.certLifetime().toSeconds())));
        }
        if (history.days() != null) a.addAll(List.of("--history-days", String.valueOf(history.days())));
        if (history.maxBytes() != null) a.addAll(List.of("--history-max-bytes", String.valueOf(history.maxBytes())));
        if (history.massChangeFiles() != MassChangeDetector.Settings.DEFAULT_FILES) {
            a.addAll(List.of("--mass-change-files", String.valueOf(history.massChangeFiles())));
        }
        if (!history.massChangeWindow().equals(MassChangeDetector.Settings.DEFAULT_WINDOW)) {
            a.addAll(List.of("--mass-change-window", History.render(history.massChangeWindow())));
        }
        if (snapshotEvery != DEFAULT_SNAPSHOT_EVERY) a.addAll(List.of("--snapshot-every", String.valueOf(snapshotEvery)));
        if (segmentBytes != DEFAULT_SEGMENT_BYTES) a.addAll(List.of("--segment-bytes", String.valueOf(segmentBytes)));
        return a;
    }

    private static Path defaultStateDir(Path dataDir) {
        return dataDir.resolve(PathValidator.STATE_DIR);
    }

    /** Builds a {@link NodeConfig}; unset values take the command line's defaults. */
    public static final class Builder {
        private final String nodeId;
        private final int port;
        private String host = DEFAULT_HOST;
        private String adminHost = DEFAULT_HOST;
        private Integer adminPort;
        private Path dataDir;
        private Path stateDir;
        private String join;
        private boolean bootstrap;
        private long snapshotEvery = DEFAULT_SNAPSHOT_EVERY;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private Duration verifyInterval = Duration.ofSeconds(DEFAULT_VERIFY_SECONDS);
        private String adminToken;
        private boolean allowMassDelete;
        private Path adminTokenFile;
        private List<String> advertise = List.of();
        private Integer peerPort;
        private Security security = Security.defaults();
        private History history = History.defaults();

        private Builder(String nodeId, int port) {
            this.nodeId = nodeId;
            this.port = port;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder adminHost(String adminHost) {
            this.adminHost = adminHost;
            return this;
        }

        /** Default: the Raft port plus {@value #ADMIN_PORT_OFFSET}. */
        public Builder adminPort(Integer adminPort) {
            this.adminPort = adminPort;
            return this;
        }

        /** Default: {@code data/<node-id>}. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Default: {@code .pickbox} in the data folder. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        /** The Raft address of a member to join through; null to bootstrap or recover. */
        public Builder join(String join) {
            this.join = join;
            return this;
        }

        public Builder bootstrap(boolean bootstrap) {
            this.bootstrap = bootstrap;
            return this;
        }

        public Builder snapshotEvery(long snapshotEvery) {
            this.snapshotEvery = snapshotEvery;
            return this;
        }

        public Builder segmentBytes(long segmentBytes) {
            this.segmentBytes = segmentBytes;
            return this;
        }

        public Builder verifyInterval(Duration verifyInterval) {
            this.verifyInterval = verifyInterval;
            return this;
        }

        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        public Builder allowMassDelete(boolean allowMassDelete) {
            this.allowMassDelete = allowMassDelete;
            return this;
        }

        /** The file the admin token was read from (rendered by {@link #toArgs}); null when it came from the environment. */
        public Builder adminTokenFile(Path adminTokenFile) {
            this.adminTokenFile = adminTokenFile;
            return this;
        }

        /** Names peers reach this node by (for NAT or containers); default: the bound host. */
        public Builder advertise(List<String> advertise) {
            this.advertise = advertise == null ? List.of() : advertise;
            return this;
        }

        /** Default: the Raft port plus {@value #PEER_PORT_OFFSET}. */
        public Builder peerPort(Integer peerPort) {
            this.peerPort = peerPort;
            return this;
        }

        public Builder security(Security security) {
            this.security = security;
            return this;
        }

        public Builder history(History history) {
            this.history = history;
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(nodeId, host, port, adminHost, adminPort == null ? port + ADMIN_PORT_OFFSET : adminPort,
                    dataDir == null ? Path.of("data", String.valueOf(nodeId)) : dataDir, stateDir, join, bootstrap, snapshotEvery,
                    segmentBytes, verifyInterval, adminToken, allowMassDelete, adminTokenFile, advertise,
                    peerPort == null ? port + PEER_PORT_OFFSET : peerPort, security, history);
        }
    }
}
