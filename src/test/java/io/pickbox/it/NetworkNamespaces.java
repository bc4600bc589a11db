package io.pickbox.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hosts for multi-host tests: Linux network namespaces, each with one address of its own on a
 * bridge in the root namespace, made and removed with {@code ip}. Host {@code i} (1..n) is the
 * namespace {@code pbx-<suffix>-<i>} whose {@code eth0} has {@code 198.18.<k>.<i>/24}; the bridge
 * has {@code 198.18.<k>.254}, so this JVM reaches every host. Only 198.18.0.0/15 (the benchmarking
 * range) is used; the suffix and {@code k} are random so that runs at the same time do not meet.
 * {@link #cut} and {@link #heal} take a host off the bridge and back by its veth's link state.
 *
 * <p>Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; tests call
 * {@link #assumeAvailable()} first, which skips them with the reason where that is missing.
 */
final class NetworkNamespaces implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    private static final AtomicBoolean REASON_PRINTED = new AtomicBoolean();
    private static Optional<String> unavailable;

    private final String suffix;
    private final int subnet;
    private final int size;
    private final String bridge;
    private final Thread cleanupAtExit;
    private boolean removed;

    private NetworkNamespaces(int size) {
        this.suffix = HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16));
        this.subnet = 1 + RANDOM.nextInt(250);
        this.size = size;
        this.bridge = "pbxbr-" + suffix;
        this.cleanupAtExit = new Thread(this::removeQuietly, "netns-cleanup-" + suffix);
    }

    /** Makes {@code size} hosts on a new bridge; on failure removes whatever it made. */
    static NetworkNamespaces create(int size) throws IOException {
        if (size < 1 || size > 250) throw new IllegalArgumentException("1..250 hosts: " + size);
        NetworkNamespaces hosts = freeSubnet(size);
        Runtime.getRuntime().addShutdownHook(hosts.cleanupAtExit);
        try {
            hosts.build();
            return hosts;
        } catch (IOException | RuntimeException e) {
            hosts.removeQuietly();
            throw e;
        }
    }

    /** A subnet no route of this machine covers yet (another run's, say). */
    private static NetworkNamespaces freeSubnet(int size) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            NetworkNamespaces candidate = new NetworkNamespaces(size);
            if (ip("route", "show", candidate.prefix() + "0/24").isBlank()) return candidate;
        }
        throw new IOException("no free 198.18.x.0/24 subnet found");
    }

    private void build() throws IOException {
        ip("link", "add", bridge, "type", "bridge");
        ip("addr", "add", prefix() + "254/24", "dev", bridge);
        ip("link", "set", bridge, "up");
        for (int i = 1; i <= size; i++) {
            String ns = namespace(i);
            String inside = "pbx" + suffix + "n" + i;
            ip("netns", "add", ns);
            ip("link", "add", hostVeth(i), "type", "veth", "peer", "name", inside);
            ip("link", "set", inside, "netns", ns);
            ip("link", "set", hostVeth(i), "master", bridge);
            ip("link", "set", hostVeth(i), "up");
            ip("-n", ns, "link", "set", inside, "name", "eth0");
            ip("-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
        }
    }

    int size() {
        return size;
    }

    /** Host {@code i}'s address, e.g. {@code 198.18.42.1} for host 1. */
    String address(int i) {
        check(i);
        return prefix() + i;
    }

    String namespace(int i) {
        check(i);
        return "pbx-" + suffix + "-" + i;
    }

    /** Takes host {@code i} off the network: nothing reaches it and it reaches nothing but itself. */
    void cut(int i) throws IOException {
        ip("link", "set", hostVeth(i), "down");
    }

    /** Puts host {@code i} back on the network. */
    void heal(int i) throws IOException {
        ip("link", "set", hostVeth(i), "up");
    }

    /** {@code command} as a command line that runs it on host {@code i}. */
    List<String> exec(int i, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
        cmd.addAll(command);
        return cmd;
    }

    List<String> exec(int i, String... command) {
        return exec(i, List.of(command));
    }

    /**
     * Removes the hosts and the bridge, after killing what still runs in them (a namespace with a
     * process in it outlives its name).
     */
    @Override
    public synchronized void close() throws IOException {
        if (removed) return;
        removed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway, and finds everything removed
        }
        List<String> failures = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            killProcessesIn(i, failures);
            // Deleting a namespace frees its veth asynchronously: delete the pair first.
            removeIfPresent(failures, "link", "del", hostVeth(i));
            removeIfPresent(failures, "netns", "del", namespace(i));
        }
        removeIfPresent(failures, "link", "del", bridge);
        if (!failures.isEmpty()) throw new IOException("could not remove every test host: " + String.join("; ", failures));
    }

    private void removeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println(e.getMessage());
        }
    }

    private void killProcessesIn(int i, List<String> failures) {
        String pids;
        try {
            pids = ip("netns", "pids", namespace(i));
        } catch (IOException e) {
            return; // no such namespace (any more)
        }
        for (String pid : pids.strip().split("\\s+")) {
            if (pid.isEmpty()) continue;
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    failures.add("process " + pid + " in " + namespace(i) + " did not exit");
                }
            });
        }
    }

    private static void removeIfPresent(List<String> failures, String... args) {
        try {
            ip(args);
        } catch (IOException e) {
            String m = e.getMessage();
            if (!m.contains("Cannot find device") && !m.contains("No such file")) failures.add(m);
        }
    }

    private String hostVeth(int i) {
        check(i);
        return "pbx" + suffix + "h" + i;
    }

    private String prefix() {
        return "198.18." + subnet + ".";
    }

    private void check(int i) {
        if (i < 1 || i > size) throw new IllegalArgumentException("no host " + i + " (1.." + size + ")");
    }

    // ---------------------------------------------------------------- availability

    /** Skips the calling test, with the reason printed once, where namespaces cannot be made here. */
    static void assumeAvailable() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent() && REASON_PRINTED.compareAndSet(false, true)) {
            System.err.println("network namespaces unavailable: " + reason.get() + " (multi-host tests skipped)");
        }
        Assumptions.assumeTrue(reason.isEmpty(), () -> "network namespaces unavailable: " + reason.orElse(""));
    }

    /** Why namespaces and bridges cannot be made here (tried once per JVM), or empty when they can. */
    static synchronized Optional<String> unavailableReason() {
        if (unavailable == null) unavailable = probe();
        return unavailable;
    }

    private static Optional<String> probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return Optional.of("not Linux");
        String name = "pbx-probe-" + HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16));
        try {
            ip("netns", "add", name);
            ip("netns", "del", name);
            ip("link", "add", name.replace("-probe-", "pr"), "type", "bridge");
            ip("link", "del", name.replace("-probe-", "pr"));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- running ip

    /** Runs {@code ip ARGS}; returns its standard output, or fails with its standard error. */
    static String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("cannot run ip (install iproute2): " + e.getMessage(), e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + err.join().strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        return out;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return size + " hosts on " + bridge + " (" + prefix() + "0/24)";
    }
}
