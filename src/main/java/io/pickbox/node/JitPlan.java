package io.pickbox.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps HotSpot's optimizing compiler (C2) for SHA-256 only; everything else runs as C1 compiles it.
 *
 * <p>A node is a fresh JVM that must work at once: on a small machine C2 took a fifth to a third of
 * all CPU through a node's first bursts, joins and latency samples, and its code was not measurably
 * faster for this I/O-bound work afterwards (lab, three nodes on two cores: a joining node caught up
 * ~1 s sooner with 1-2 s less CPU, the first 200 latency samples ran with a third less compilation,
 * bursts and large files no slower). SHA-256 is the exception: only C2 turns it into the CPU's SHA
 * instructions, ~15 times faster than C1's code.
 *
 * <p>Applied as compiler directives through the JVM's own diagnostic command, at start-up of a node
 * process; {@code -Dpickbox.jit=default} leaves the JVM as it is. As C2 never uses the profiles,
 * {@code jvm.options} also has every other method skip C1's profiling code and go from the
 * interpreter straight to its final C1 code, relying on this exclusion (drop those options too
 * when setting that property: without the exclusion they would send hot methods straight to C2).
 */
public final class JitPlan {

    private static final Logger LOG = LoggerFactory.getLogger(JitPlan.class);

    private static final String DIRECTIVES = """
            [
              { match: ["sun/security/provider/SHA2.*", "sun/security/provider/DigestBase.*"], c2: { Exclude: false } },
              { match: "*.*", c2: { Exclude: true } }
            ]
            """;

    private JitPlan() {}

    public static void apply() {
        if ("default".equals(System.getProperty("pickbox.jit"))) return;
        try {
            Path file = Files.createTempFile("pickbox-jit", ".json");
            try {
                Files.writeString(file, DIRECTIVES);
                Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                        new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
                LOG.debug("JIT directives: {}", String.valueOf(reply).trim());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("JIT directives not applied (the JVM's defaults stay): {}", e.toString());
        }
    }
}
