package io.pickbox.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Set;

/** {@code --log-level} and {@code --log-format}: applied to logback before the node starts. */
final class LogSetup {

    static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogSetup() {}

    /** @throws IllegalArgumentException for an unknown level or format */
    static void apply(String level, String format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (level != null) {
            String l = level.toUpperCase(Locale.ROOT);
            if (!LEVELS.contains(l)) throw new IllegalArgumentException("--log-level must be one of " + LEVELS + ", got " + level);
            root.setLevel(Level.toLevel(l));
        }
        if (format == null || format.equalsIgnoreCase("text")) return;
        if (!format.equalsIgnoreCase("json")) throw new IllegalArgumentException("--log-format must be text or json, got " + format);
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(ctx);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setName("JSON");
        json.setContext(ctx);
        json.setTarget("System.err");
        json.setEncoder(encoder);
        json.start();
        root.detachAppender(LogDefaults.APPENDER);
        root.addAppender(json);
    }
}
