package io.pickbox.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compilation plan that jvm.options and JitPlan make together, in a JVM started with the options
 * every node gets ({@link NodeCommandLine.jvmOptions()}): a hot method goes from the interpreter
 * straight to its final C1 code (tier 1), never through C1's profiling code (tier 3) or C2 (tier 4);
 * SHA-256 still reaches C2.
 */
class JvmOptionsTest {

    private static String runProbe() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(NodeCommandLine.jvmOptions());
        cmd.addAll(List.of("-XX:+PrintCompilation", "-XX:CompileCommand=quiet",
                // not inlined into the probe's loop, so that it is compiled on its own
                "-XX:CompileCommand=dontinline,io.pickbox.cli.JitProbe::work",
                "-cp", System.getProperty("java.class.path"), JitProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("probe done");
        return out;
    }

    /** The tiers {@code method} was compiled at, from -XX:+PrintCompilation's lines. */
    private static Set<Integer> tiers(String out, String method) {
        Matcher m = Pattern.compile("\\s(\\d)\\s+" + Pattern.quote(method) + "\\s").matcher(out);
        Set<Integer> tiers = new TreeSet<>();
        while (m.find()) tiers.add(Integer.parseInt(m.group(1)));
        return tiers;
    }

    @Test
    void hotMethodsGoStraightToTheirFinalC1CodeAndSha256ToC2() throws Exception {
        String out = runProbe();
        assertThat(tiers(out, "io.pickbox.cli.JitProbe::work")).as(out).containsExactly(1);
        assertThat(Pattern.compile("\\s4\\s+sun\\.security\\.provider\\.(SHA2|DigestBase)::").matcher(out).find())
                .as("a SHA-256 method compiled by C2").isTrue();
    }
}
