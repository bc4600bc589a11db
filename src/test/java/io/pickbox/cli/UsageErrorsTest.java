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
        Outcome o = run("files", "ls", "--admin", "bogus");
        assertThat(o.status).isEqualTo(2);
        assertThat(o.err).contains("--admin must be HOST:PORT, got bogus").contains("Usage: pickbox files ls ");
    }

    @Test
    void aBadCaFileShowsTheCommandItWasGivenTo() {
        Outcome o = run("cluster", "status", "--tls-ca", "/nonexistent/ca.pem");
        assertThat(o.status).isEqualTo(2);
        assertThat(o.err).contains("--tls-ca: cannot read").contains("Usage: pickbox cluster status ");
    }

    @Test
    void aPathOutsideTheFolderIsAUsageErrorOfWhy() {
        Outcome o = run("why", "../etc/passwd");
        assertThat(o.status).isEqualTo(2);
        assertThat(o.err).contains("'..' segments are not allowed").contains("Usage: pickbox why ");
    }

    @Test
    void badValuesOfClusterSubcommandsNameTheirCommand() {
        Outcome invite = run("cluster", "invite", "--expires", "5x");
        assertThat(invite.status).isEqualTo(2);
        assertThat(invite.err).contains("--expires must look like 30m").contains("Usage: pickbox cluster invite ");
        Outcome add = run("cluster", "add", "n4", "bogus");
        assertThat(add.status).isEqualTo(2);
        assertThat(add.err).contains("HOST:PORT expected, got bogus").contains("Usage: pickbox cluster add ");
    }

    @Test
    void aBadLogLevelShowsTheNodeCommand() {
        Outcome o = run("node", "start", "--node-id", "n1", "--port", "1", "--log-level", "loud");
        assertThat(o.status).isEqualTo(2);
        assertThat(o.err).contains("Usage: pickbox node start ");
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
