package io.pickbox.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * State files found damaged and repaired since the process started (moved aside, their contents
 * rebuilt), by the path they had: what a node shows in its status besides its log. Kept by path so
 * that nodes sharing one process (tests) each see their own.
 */
public final class StateRepairs {
    private static final Map<Path, String> REPAIRS = new ConcurrentHashMap<>();

    private StateRepairs() {}

    static void record(Path damaged, String what) {
        REPAIRS.put(damaged, what);
    }

    /** The repairs of files under {@code dir}, by their path relative to it. */
    public static Map<String, String> under(Path dir) {
        Path base = dir.toAbsolutePath();
        Map<String, String> out = new TreeMap<>();
        REPAIRS.forEach((p, what) -> {
            if (p.startsWith(base)) out.put(base.relativize(p).toString(), what);
        });
        return out;
    }
}
