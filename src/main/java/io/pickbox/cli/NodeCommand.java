package io.pickbox.cli;

import io.pickbox.node.Node;
import io.pickbox.node.NodeConfig;
import io.pickbox.sync.MassChangeDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "node", description = "Run a node.", subcommands = {NodeCommand.Start.class},
        mixinStandardHelpOptions = true)
final class NodeCommand {

    @Command(name = "start", aliases = {"live", "multi"}, mixinStandardHelpOptions = true,
            description = {"Start a node and keep its folder in sync until Ctrl-C.",
                    "Without --join and without state it bootstraps a new cluster (only if its folder is absent or empty);"
                            + " with existing state it recovers and rejoins; with --join it adds itself to the cluster"
                            + " of that member."})
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--node-id", required = true, description = "Unique id of this node, e.g. node1.")
        String nodeId;
        @Option(names = "--port", required = true, description = "Raft port.")
        int port;
        @Option(names = "--host", defaultValue = NodeConfig.DEFAULT_HOST, description = "Address to bind and advertise (default: ${DEFAULT-VALUE}).")
        String host;
        @Option(names = "--data-dir", description = "The synced folder (default: data/<node-id>).")
        Path dataDir;
        @Option(names = "--state-dir", description = "Node state (default: <data-dir>/.pickbox).")
        Path stateDir;
        @Option(names = "--admin-port", description = "Admin HTTP port (default: port + " + NodeConfig.ADMIN_PORT_OFFSET + ").")
        Integer adminPort;
        @Option(names = "--admin-host", defaultValue = NodeConfig.DEFAULT_HOST, description = "Admin HTTP bind address (default: ${DEFAULT-VALUE}).")
        String adminHost;
        @Mixin
        AdminTokenOption adminToken = new AdminTokenOption();
        @Option(names = "--advertise", split = ",", paramLabel = "NAME", description = {
                "A name or address other machines reach this node by, beyond --host (repeatable or comma-separated);",
                "the first one is what peers dial. Needed with --host 0.0.0.0, behind NAT, in containers,",
                "or to reach the admin API by a DNS name."})
        List<String> advertise;
        @Option(names = "--join", paramLabel = "HOST:PORT", description = "Raft address of any member of the cluster to join.")
        String join;
        /** The invite, when neither --token nor --token-file gives it. */
        static final String INVITE_ENV = "PICKBOX_INVITE_TOKEN";

        @Option(names = "--token", paramLabel = "TOKEN", description = {"The invite to join with (from `pickbox cluster invite`); used once, only on the first start.",
                "--token-file or the environment variable " + INVITE_ENV + " keep it out of the process list."})
        String token;
        @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the invite token.")
        Path tokenFile;
        @Option(names = "--peer-port", description = "Port peers push and fetch file chunks on (default: port + " + NodeConfig.PEER_PORT_OFFSET + ").")
        Integer peerPort;
        @Option(names = "--insecure", description = "No TLS between nodes: anyone who reaches this node's ports can read and change the cluster's files.")
        boolean insecure;
        @Option(names = "--tls-cert", paramLabel = "FILE", description = "Your own PKI: this node's certificate chain (PEM), with --tls-key and --tls-ca.")
        Path tlsCert;
        @Option(names = "--tls-key", paramLabel = "FILE", description = "Your own PKI: this node's private key (PKCS#8 PEM).")
        Path tlsKey;
        @Option(names = "--tls-ca", paramLabel = "FILE", description = "Your own PKI: the CA certificates peers' certificates must chain to (PEM).")
        Path tlsCa;
        @Option(names = "--cert-lifetime", hidden = true, paramLabel = "SECONDS",
                description = "How long the certificates this node issues are valid (default: 365 days).")
        Long certLifetimeSeconds;
        @Option(names = "--bootstrap", description = "Start a new cluster even though the folder is not empty.")
        boolean bootstrap;
        @Option(names = "--verify-interval", defaultValue = "" + NodeConfig.DEFAULT_VERIFY_SECONDS, description = "Seconds between verify scans (default: ${DEFAULT-VALUE}).")
        long verifySeconds;
        @Option(names = "--allow-mass-delete", description = "Start even if most synced files are missing from the folder, and delete them everywhere.")
        boolean allowMassDelete;
        @Option(names = "--history-days", paramLabel = "N", description = {
                "Days replaced and deleted versions are kept, for the whole cluster (default: " + NodeConfig.History.DEFAULT_DAYS + "; 0 keeps none).",
                "Given here, the node sets it for the cluster when it starts, if the cluster has another setting."})
        Integer historyDays;
        @Option(names = "--history-max-bytes", paramLabel = "SIZE", description = {
                "The most the kept versions may take, for the whole cluster, e.g. 10G or 500M (powers of 1024;",
                "default: 0, a share of the folder's size). Given here, set for the cluster as --history-days is."})
        String historyMaxBytes;
        @Option(names = "--mass-change-files", paramLabel = "N", defaultValue = "" + MassChangeDetector.Settings.DEFAULT_FILES,
                description = "Flag a mass change when one node deletes or rewrites more files than this within --mass-change-window (default: ${DEFAULT-VALUE}).")
        int massChangeFiles;
        @Option(names = "--mass-change-window", paramLabel = "DURATION", defaultValue = "60s",
                description = "The window of --mass-change-files, e.g. 60s, 5m (default: ${DEFAULT-VALUE}).")
        String massChangeWindow;
        @Option(names = "--log-level", paramLabel = "LEVEL", description = "TRACE, DEBUG, INFO (default), WARN or ERROR.")
        String logLevel;
        @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text", description = "text (default) or json (one JSON object per line).")
        String logFormat;
        @Option(names = "--wait-to-be-added", description = {"A new node: start with no group and wait until an operator runs",
                "`pickbox cluster add ID HOST:PORT` on a member (instead of --join, which adds itself)."})
        boolean waitToBeAdded;
        @Option(names = "--snapshot-every", hidden = true, defaultValue = "" + NodeConfig.DEFAULT_SNAPSHOT_EVERY,
                description = "Log entries between index snapshots.")
        long snapshotEvery;
        @Option(names = "--segment-bytes", hidden = true, defaultValue = "" + NodeConfig.DEFAULT_SEGMENT_BYTES,
                description = "Raft log segment size.")
        long segmentBytes;

        /** The node's configuration from the parsed options. */
        NodeConfig config() {
            return NodeConfig.builder(nodeId, port).host(host).adminHost(adminHost).adminPort(adminPort).dataDir(dataDir)
                    .stateDir(stateDir).join(join).bootstrap(bootstrap).snapshotEvery(snapshotEvery)
                    .segmentBytes(segmentBytes).verifyInterval(Duration.ofSeconds(Math.max(1, verifySeconds)))
                    .adminToken(adminToken.token()).adminTokenFile(adminToken.file).advertise(advertise)
                    .allowMassDelete(allowMassDelete).peerPort(peerPort)
                    .history(new NodeConfig.History(historyDays,
                            historyMaxBytes(), massChangeFiles,
                            NodeConfig.History.parseDuration(massChangeWindow)))
                    .security(new NodeConfig.Security(insecure, inviteToken(), tlsCert, tlsKey, tlsCa,
                            certLifetimeSeconds == null ? null : Duration.ofSeconds(certLifetimeSeconds)))
                    .build();
        }

        private Long historyMaxBytes() {
            if (historyMaxBytes == null) return null;
            try {
                return ByteSize.parse(historyMaxBytes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--history-max-bytes: " + e.getMessage());
            }
        }

        private String inviteToken() {
            if (token != null && tokenFile != null) throw new IllegalArgumentException("give the invite with --token or --token-file, not both");
            if ((token != null || tokenFile != null) && join == null) throw new IllegalArgumentException("an invite token goes with --join HOST:PORT");
            if (join == null) return null;
            if (tokenFile == null) return token != null ? token : System.getenv(INVITE_ENV);
            try {
                return java.nio.file.Files.readString(tokenFile).trim();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read the invite token from " + tokenFile + ": " + e.getMessage());
            }
        }

        @Override
        public Integer call() throws Exception {
            try {
                LogSetup.apply(logLevel, logFormat);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (join != null && !join.matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("--join must be HOST:PORT, got " + join);
            }
            Node node = new Node(config()).waitToBeAdded(waitToBeAdded).onFatal(NodeCommand::exitToBeRestarted);
            try {
                node.start();
            } catch (Exception e) {
                node.close();
                throw e;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "pickbox-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /** The status a node ends with when it must be restarted to take part in its cluster again (EX_TEMPFAIL). */
    static final int EXIT_TO_BE_RESTARTED = 75;

    /**
     * Ends a node that can no longer take part in its cluster (its Raft log cannot be written): a
     * node that lived on would answer, look alive and do nothing. The shutdown hook stops it
     * cleanly; its supervisor restarts it, and the start waits until the disk has room.
     */
    static void exitToBeRestarted(String why) {
        System.err.println("pickbox: " + why + "; exiting so that the node can be restarted");
        System.exit(EXIT_TO_BE_RESTARTED);
    }
}
