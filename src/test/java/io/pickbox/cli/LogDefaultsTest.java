package io.pickbox.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LogDefaultsTest {

    @Test
    void linesNameTheNodeAndRatisSpeaksOnlyAtWarn() {
        String out = logged("node%1(a)", () -> {
            LoggerContext ctx = new LoggerContext();
            ctx.setMDCAdapter(new LogbackMDCAdapter());
            assertThat(new LogDefaults().configure(ctx)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
            ctx.getLogger("io.pickbox.sync.SyncEngine").info("committed {}", "a.txt");
            ctx.getLogger("io.pickbox.sync.SyncEngine").debug("not shown at INFO");
            ctx.getLogger("org.apache.ratis.server.impl.RaftServerImpl").info("Ratis narrating");
            ctx.getLogger("org.apache.ratis.server.impl.RaftServerImpl").warn("Ratis warning");
            ctx.stop();
        });
        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().findFirst().orElseThrow())
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[node%1\\(a\\)\\] SyncEngine: committed a\\.txt");
        assertThat(out).contains("WARN  [node%1(a)] RaftServerImpl: Ratis warning").doesNotContain("narrating", "not shown");
    }

    @Test
    void anOperatorsOwnConfigurationFileWins() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "operator-logback.xml");
        try {
            LoggerContext ctx = new LoggerContext();
            assertThat(new LogDefaults().configure(ctx)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(ctx.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
            assertThat(ctx.getTurboFilterList()).isEmpty();
        } finally {
            if (before == null) System.clearProperty("logback.configurationFile");
            else System.setProperty("logback.configurationFile", before);
        }
    }

    private static String logged(String node, Runnable logging) {
        String before = System.getProperty("pickbox.node");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("pickbox.node", node);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(err);
            if (before == null) System.clearProperty("pickbox.node");
            else System.setProperty("pickbox.node", before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
