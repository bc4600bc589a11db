package io.pickbox.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Ends a node's process when a library caught an {@link OutOfMemoryError} and logged it (installed
 * by {@link LogDefaults}, armed by {@link OutOfMemoryHalt#install}). An error thrown by code rather
 * than by the JVM, such as running out of direct buffer memory, escapes
 * {@code -XX:+ExitOnOutOfMemoryError}; Ratis catches it where it meets it, logs it and lets that
 * thread end (a log appender, and the follower it served never hears from the leader again). A node
 * in that state is better restarted by its supervisor than left running.
 */
public final class OutOfMemoryInLog extends TurboFilter {

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) t = last;
        if (t == null || !OutOfMemoryHalt.installed()) return FilterReply.NEUTRAL;
        OutOfMemoryError oom = OutOfMemoryHalt.outOfMemory(t);
        if (oom != null) OutOfMemoryHalt.halt("caught and logged by " + (logger == null ? "a library" : logger.getName()), oom);
        return FilterReply.NEUTRAL;
    }
}
