package io.pickbox.folder;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The lines {@link SkippedNames} logs while it is open: {@code try (SkippedNamesLog log = SkippedNamesLog.capture()) {...}}. */
public final class SkippedNamesLog implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger(SkippedNames.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    private SkippedNamesLog() {
        lines.start();
        logger.addAppender(lines);
    }

    public static SkippedNamesLog capture() {
        return new SkippedNamesLog();
    }

    /** The lines logged so far that contain {@code text}. */
    public List<ILoggingEvent> containing(String text) {
        synchronized (lines.list) {
            return lines.list.stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
