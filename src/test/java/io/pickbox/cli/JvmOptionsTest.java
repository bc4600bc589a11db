package io.pickbox.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM every node runs in ({@link NodeCommandLine#jvmOptions()}): its memory is bounded, running
 * out of it ends the process, it keeps no performance counters in a mapped file, and nothing else
 * is set, so the JIT and everything else run as HotSpot chooses.
 */
class JvmOptionsTest {

    private static final long MiB = 1 << 20;

    /** The flags a JVM started with the nodes' options reports as set on its command line. */
    private static Map<String, String> commandLineFlags() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(NodeCommandLine.jvmOptions());
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // e.g. "   size_t MaxHeapSize    = 268435456    {product} {command line}"
        Matcher m = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)\\s+\\{[^}]*}\\s+\\{command line}", Pattern.MULTILINE)
                .matcher(out);
        Map<String, String> flags = new TreeMap<>();
        while (m.find()) flags.put(m.group(1), m.group(2));
        flags.remove("PrintFlagsFinal");
        return flags;
    }

    @Test
    void aNodeRunsG1WithItsMemoryCappedExitsWhenItRunsOutKeepsNoMappedCountersAndNothingElseTuned() throws Exception {
        Map<String, String> flags = commandLineFlags();
        assertThat(flags).containsEntry("MaxHeapSize", String.valueOf(256 * MiB))
                // the heap starts small (and may shrink back to that): a node touches only what it uses
                .containsEntry("InitialHeapSize", String.valueOf(32 * MiB))
                .containsEntry("MinHeapSize", String.valueOf(32 * MiB))
                .containsEntry("UseG1GC", "true")
                .containsEntry("MaxDirectMemorySize", String.valueOf(64 * MiB))
                .containsEntry("MaxHeapFreeRatio", "15")
                .containsEntry("ExitOnOutOfMemoryError", "true")
                .containsEntry("UsePerfData", "false");
        assertThat(Long.parseLong(flags.get("G1PeriodicGCInterval"))).isPositive();
        assertThat(flags.keySet()).as("only memory, what happens when it runs out, the counters and the collector are set")
                .containsExactlyInAnyOrder("MaxHeapSize", "InitialHeapSize", "MinHeapSize", "UseG1GC",
                        "G1HeapRegionSize", "G1PeriodicGCInterval", "MinHeapFreeRatio", "MaxHeapFreeRatio", "MaxDirectMemorySize",
                        "ExitOnOutOfMemoryError", "UsePerfData");
    }
}
