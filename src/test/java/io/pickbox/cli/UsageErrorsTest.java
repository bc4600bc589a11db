package io.pickbox.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad argument found once a command runs is a usage error of that command: exit status 2, the
 * reason, and that command's own usage (as picocli gives for what it checks itself), never the
 * top-level command's and never a command name without its parents. Nothing here reaches a node.
 */
class UsageErrorsTest {

    @Test
    void aBadAdminAddressShowsTheCommandItWasGivenTo() {
        assertUsageError("--admin must be HOST:PORT, got bogus", "pickbox files ls", "files", "ls", "--admin", "bogus");
    }

    @Test
    void aBadCaFileShowsTheCommandItWasGivenTo() {
        assertUsageError("--tls-ca: cannot read", "pickbox cluster status",
                "cluster", "status", "--tls-ca", "/nonexistent/ca.pem");
    }

    @Test
    void aPathOutsideTheFolderIsAUsageErrorOfWhy() {
        assertUsageError("'..' segments are not allowed", "pickbox why", "why", "../etc/passwd");
    }

    @Test
    void badValuesOfClusterSubcommandsNameTheirCommand() {
        assertUsageError("--expires must look like 30m", "pickbox cluster invite", "cluster", "invite", "--expires", "5x");
        assertUsageError("HOST:PORT expected, got bogus", "pickbox cluster add", "cluster", "add", "n4", "bogus");
    }

    @Test
    void aBadLogLevelShowsTheNodeCommand() {
        assertUsageError("--log-level must be one of", "pickbox node start",
                "node", "start", "--node-id", "n1", "--port", "1", "--log-level", "loud");
    }

    /** Runs {@code args}: exit status 2, {@code reason} said, and the usage of {@code command}. */
    private static void assertUsageError(String reason, String command, String... args) {
        Outcome o = run(args);
        assertThat(o.status).as(o.err).isEqualTo(2);
        assertThat(o.err).contains(reason).contains("Usage: " + command + " ");
    }

    private record Outcome(int status, String err) {}

    private static Outcome run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(args);
            return new Outcome(status, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }
}
