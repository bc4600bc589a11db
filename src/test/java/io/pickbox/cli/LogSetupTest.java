package io.pickbox.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogSetupTest {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level before = root.getLevel();

    @AfterEach
    void restore() {
        root.setLevel(before);
        var json = root.getAppender("JSON");
        if (json != null) {
            root.detachAppender(json);
            json.stop();
        }
    }

    @Test
    void levelAndJsonFormat() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LogSetup.apply("warn", "json");
            assertThat(root.getLevel()).isEqualTo(Level.WARN);
            LoggerFactory.getLogger("io.pickbox.test").warn("conflict on {}", "a.txt");
            LoggerFactory.getLogger("io.pickbox.test").info("not shown at WARN");
        } finally {
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("\"level\":\"WARN\"", "\"formattedMessage\":\"conflict on a.txt\"").doesNotContain("not shown");
    }

    @Test
    void badValuesAreUsageErrors() {
        assertThatThrownBy(() -> LogSetup.apply("loud", null)).hasMessageContaining("--log-level");
        assertThatThrownBy(() -> LogSetup.apply(null, "xml")).hasMessageContaining("--log-format");
        assertThat(Main.run("node", "start", "--node-id", "x", "--port", "1", "--log-level", "loud")).isEqualTo(2);
    }
}
