package io.pickbox.cli;

import io.pickbox.node.NodeConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code java} command that runs one node from the Pickbox jar, as {@code ./pickbox} runs it:
 * the options of {@code jvm.options}, the class-data archive {@code ./pickbox} makes beside the
 * jar (when it is newer than the jar), and glibc's malloc arenas capped. {@code pickbox demo} and
 * the tests start nodes through it; {@code ./pickbox} reads the same {@code jvm.options} in the
 * shell, because it runs before any JVM.
 */
public final class NodeCommandLine {

    /** {@code jvm.options}: one option per line; blank lines and lines starting with {@code #} are skipped. */
    static final String OPTIONS_RESOURCE = "/jvm.options";

    private final Path jar;
    private final List<String> extraJvmOptions;

    private NodeCommandLine(Path jar, List<String> extraJvmOptions) {
        this.jar = jar.toAbsolutePath();
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** Nodes run from {@code jar}. */
    public static NodeCommandLine of(Path jar) {
        return new NodeCommandLine(jar, List.of());
    }

    /** Nodes run from the jar this process runs from. */
    static NodeCommandLine ofRunningJar() {
        try {
            return of(Path.of(NodeCommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the Pickbox jar", e);
        }
    }

    /** The same command with {@code options} after those of {@code jvm.options} (a later option wins). */
    public NodeCommandLine withJvmOptions(List<String> options) {
        List<String> all = new ArrayList<>(extraJvmOptions);
        all.addAll(options);
        return new NodeCommandLine(jar, all);
    }

    /** The options every node runs with, from the {@code jvm.options} in the jar. */
    public static List<String> jvmOptions() throws IOException {
        try (InputStream in = NodeCommandLine.class.getResourceAsStream(OPTIONS_RESOURCE)) {
            if (in == null) throw new IOException("jvm.options is missing from the jar");
            return parseOptions(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static List<String> parseOptions(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** {@code java ... -jar pickbox.jar node start <the config's options>}. */
    public List<String> command(NodeConfig config) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions());
        cmd.addAll(classDataArchiveOptions());
        cmd.addAll(extraJvmOptions);
        cmd.add("-Dpickbox.node=" + config.nodeId());
        cmd.addAll(List.of("-jar", jar.toString(), "node", "start"));
        cmd.addAll(config.toArgs());
        return cmd;
    }

    /** A process builder for {@link #command}, with the node's environment. */
    public ProcessBuilder processBuilder(NodeConfig config) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(config));
        // glibc: two malloc arenas instead of eight per core keep a node's native memory compact.
        pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        // The token never goes on the command line; one without a file reaches the node this way.
        pb.environment().remove(AdminTokenOption.ENV);
        if (config.adminToken() != null && config.adminTokenFile() == null) {
            pb.environment().put(AdminTokenOption.ENV, config.adminToken());
        }
        // An invite is a secret too, until it is used.
        pb.environment().remove(NodeCommand.Start.INVITE_ENV);
        if (config.security().inviteToken() != null) pb.environment().put(NodeCommand.Start.INVITE_ENV, config.security().inviteToken());
        return pb;
    }

    /** The archive belongs to one build of the jar: an older one is ignored. */
    private List<String> classDataArchiveOptions() throws IOException {
        Path archive = jar.resolveSibling("pickbox.jsa");
        if (!Files.isRegularFile(archive) || !Files.isRegularFile(jar)
                || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
            return List.of();
        }
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }
}
