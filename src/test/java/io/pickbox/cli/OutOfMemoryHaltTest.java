package io.pickbox.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A node out of memory ends at once with one clear line, whichever thread met the error. */
class OutOfMemoryHaltTest {

    private record Outcome(int status, String output) {}

    /** Runs {@link OutOfMemoryChild} in a JVM with {@code jvmOptions} and a small heap. */
    private static Outcome child(List<String> jvmOptions, String mode) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Xmx32m", "-cp", System.getProperty("java.class.path"), OutOfMemoryChild.class.getName(), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Outcome(p.exitValue(), out);
    }

    @Test
    void aThreadDyingOfOutOfMemoryEndsTheProcessWithOneClearLine() throws Exception {
        Outcome o = child(List.of(), "uncaught");
        assertThat(o.status()).as(o.output()).isEqualTo(OutOfMemoryHalt.EXIT_STATUS);
        assertThat(o.output()).contains("pickbox: out of memory in thread ratis-like-updater (Java heap space); "
                + "exiting so that the node can be restarted").doesNotContain("still alive");
    }

    @Test
    void withTheNodesOptionsEvenAnErrorALibraryCatchesEndsTheProcess() throws Exception {
        Outcome o = child(NodeCommandLine.jvmOptions(), "caught");
        assertThat(o.status()).as(o.output()).isEqualTo(OutOfMemoryHalt.EXIT_STATUS);
        assertThat(o.output()).contains("Terminating due to java.lang.OutOfMemoryError: Java heap space")
                .doesNotContain("carrying on", "still alive");
    }

    @Test
    void anErrorALibraryCatchesAndLogsEndsTheProcessToo() throws Exception {
        // Direct buffer memory runs out in code, not in the JVM: -XX:+ExitOnOutOfMemoryError misses it.
        Outcome o = child(NodeCommandLine.jvmOptions(), "logged");
        assertThat(o.status()).as(o.output()).isEqualTo(OutOfMemoryHalt.EXIT_STATUS);
        assertThat(o.output()).contains("pickbox: out of memory caught and logged by org.apache.ratis.grpc.server.GrpcLogAppender "
                + "(Cannot reserve 1048576 bytes of direct buffer memory); exiting so that the node can be restarted")
                .doesNotContain("still alive");
    }

    @Test
    void anOutOfMemoryErrorIsFoundInsideTheExceptionsThatCarryIt() {
        OutOfMemoryError oom = new OutOfMemoryError("Direct buffer memory");
        assertThat(OutOfMemoryHalt.outOfMemory(new CompletionException(new RuntimeException(oom)))).isSameAs(oom);
        assertThat(OutOfMemoryHalt.outOfMemory(new IllegalStateException("no"))).isNull();
    }
}
