package io.pickbox.raft;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Ratis's log lines once this process's Raft member is stopping on purpose (installed by
 * the CLI's {@code LogDefaults}). A deliberate stop is narrated by Ratis as a series of failures: the log
 * appenders interrupted when leadership moves, streams cancelled, a peer's append refused because
 * this server is closing. None of it is news once the stop has begun; a failure to stop is still
 * logged by {@link RaftNode} itself.
 */
public final class QuietRatisStop extends TurboFilter {

    private static final String RATIS = "org.apache.ratis";
    private static volatile boolean stopping;

    /** From now on (for the rest of this process) Ratis says nothing. */
    static void begin() {
        stopping = true;
    }

    /**
     * A member starting: Ratis speaks again. A node process stops once, but a JVM that runs several
     * members (the tests) starts some after others stopped.
     */
    static void reset() {
        stopping = false;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        return stopping && logger != null && logger.getName().startsWith(RATIS) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
