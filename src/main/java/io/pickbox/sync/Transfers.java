package io.pickbox.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Large files being sent to the cluster or written from it on this node, for progress reports. */
public final class Transfers {

    public record Transfer(String path, String direction, long done, long total) {}

    private record Progress(String direction, long total, AtomicLong done) {}

    private final Map<String, Progress> active = new ConcurrentHashMap<>();

    /** Starts tracking; returns the counter to add bytes to. */
    AtomicLong start(String path, String direction, long total) {
        Progress p = new Progress(direction, total, new AtomicLong());
        active.put(direction + ":" + path, p);
        return p.done();
    }

    void finish(String path, String direction) {
        active.remove(direction + ":" + path);
    }

    public List<Transfer> list() {
        List<Transfer> out = new ArrayList<>();
        active.forEach((key, p) -> out.add(new Transfer(key.substring(key.indexOf(':') + 1), p.direction(),
                p.done().get(), p.total())));
        return out;
    }
}
