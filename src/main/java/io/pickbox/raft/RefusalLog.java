package io.pickbox.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One WARN line per refused peer and reason, at most once a minute each: a stranger retrying
 * every few milliseconds must not flood the log, and the operator must still see that it happens.
 */
public final class RefusalLog {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    private static final long QUIET_NANOS = 60_000_000_000L;
    private static final int REMEMBERED = 256;

    private final Map<String, Long> lastLogged = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Logs that {@code peer} was refused for {@code reason}, unless it was said less than a minute ago. */
    public void refused(String peer, String reason) {
        String key = peer + "|" + reason;
        long now = System.nanoTime();
        synchronized (lastLogged) {
            Long last = lastLogged.get(key);
            if (last != null && now - last < QUIET_NANOS) return;
            lastLogged.put(key, now);
        }
        LOG.warn("Refused {}: {}", peer, reason);
    }
}
