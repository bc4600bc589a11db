package io.pickbox.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The dashboard's signed-in sessions: random ids kept in memory only (a restart signs everyone
 * out), at most {@code max} of them (the least recently used goes first) and each forgotten after
 * {@code idle} without use. A browser holds its id in an HttpOnly cookie, so the token itself
 * never sits in a page, a URL or browser storage.
 */
final class Sessions {

    static final String COOKIE = "pickbox_session";
    static final int MAX = 1000;
    static final Duration IDLE = Duration.ofHours(12);

    private static final int ID_BYTES = 32;

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanoClock;
    private final long idleNanos;
    /** Keyed by the id's hash, so how long a lookup takes says nothing about the ids themselves. */
    private final LinkedHashMap<String, Long> lastUse;

    Sessions() {
        this(MAX, IDLE, System::nanoTime);
    }

    Sessions(int max, Duration idle, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.idleNanos = idle.toNanos();
        this.lastUse = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > max;
            }
        };
    }

    /** A new session; its id goes to the browser and nowhere else. */
    synchronized String open() {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        lastUse.put(hash(id), nanoClock.getAsLong());
        return id;
    }

    /** Whether {@code id} names a live session; using it keeps it alive. */
    synchronized boolean use(String id) {
        if (id == null || id.isEmpty()) return false;
        String key = hash(id);
        Long last = lastUse.get(key);
        if (last == null) return false;
        long now = nanoClock.getAsLong();
        if (now - last > idleNanos) {
            lastUse.remove(key);
            return false;
        }
        lastUse.put(key, now);
        return true;
    }

    synchronized void close(String id) {
        if (id != null) lastUse.remove(hash(id));
    }

    synchronized int size() {
        return lastUse.size();
    }

    private static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
