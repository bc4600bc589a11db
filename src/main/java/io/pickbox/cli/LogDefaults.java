package io.pickbox.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import io.pickbox.raft.QuietRatisStop;

import java.util.Map;

/**
 * Pickbox's logging, set up in code rather than read from a {@code logback.xml}: parsing XML at
 * start-up loads Logback's configuration machinery and an XML parser (600 classes) on the path of
 * every node's start and restart. Lines go to standard error as {@code time LEVEL [node] Logger:
 * message}; the node is {@code -Dpickbox.node} (the launchers set it from {@code --node-id}) and the
 * level {@code -Dpickbox.log.level} or {@code --log-level}. Ratis, Jetty and Javalin speak at WARN.
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile} set, Logback reads
 * that file as usual and this does nothing.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
public final class LogDefaults extends ContextAwareBase implements Configurator {

    static final String APPENDER = "STDERR";

    /** Libraries' loggers and their levels (more specific names override less specific ones). */
    private static final Map<String, Level> LEVELS = Map.of(
            "org.apache.ratis", Level.WARN,
            "org.apache.ratis.client.impl.OrderedAsync", Level.OFF,
            // joins racing each other are retried; Ratis logs each refusal with a stack trace
            "org.apache.ratis.grpc.server.GrpcAdminProtocolService", Level.ERROR,
            "org.apache.ratis.thirdparty", Level.WARN,
            "io.javalin", Level.WARN,
            "org.eclipse.jetty", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        // Logback's notes about its own set-up are not the node's news
        ctx.getStatusManager().add(new NopStatusListener());
        // an out-of-memory error a library caught and logged ends a node's process
        ctx.addTurboFilter(started(new OutOfMemoryInLog(), ctx));
        // a node stopping on purpose: Ratis's narration of its own shutdown is not news
        ctx.addTurboFilter(started(new QuietRatisStop(), ctx));

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [" + literal(System.getProperty("pickbox.node", "pickbox"))
                + "] %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(ctx);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        LEVELS.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("pickbox.log.level"), Level.INFO));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static <T extends ch.qos.logback.classic.turbo.TurboFilter> T started(T filter, LoggerContext ctx) {
        filter.setContext(ctx);
        filter.start();
        return filter;
    }

    /** Text that a layout pattern prints as it is (a node id is checked later than logging starts). */
    static String literal(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '%' || c == '\\' || c == '(' || c == ')') sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }
}
