package io.pickbox.admin;

import io.pickbox.index.Entry;
import io.pickbox.index.IndexListener;
import io.pickbox.index.Op;
import io.pickbox.index.Result;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The last committed ops and this node's apply results, kept in a bounded ring and streamed to
 * server-sent-event clients. Event id = Raft log index x 1024 + the op's place in its entry (one
 * entry may carry a batch of ops), so ids survive restarts and a client resumes with
 * {@code ?since=} or {@code Last-Event-ID}. The apply thread only appends and wakes the streams
 * ({@link EventStreams}).
 */
final class EventHub implements IndexListener, AutoCloseable {

    /**
     * Events kept for clients that resume. A dashboard or script that reconnects after a short
     * outage resumes without a gap unless more than this many ops were applied meanwhile; at a few
     * hundred bytes an event the ring stays a few MB whatever the folder holds. A client that
     * resumes from before the oldest one gets a "gap" event and reloads the state instead.
     */
    static final int CAPACITY = 10_000;

    /**
     * One applied op and its result, as rendered: the op's kind, origin and what it is about
     * (path, size, target), not the op itself, whose chunk list can hold thousands of hashes. Or
     * a notice about what the ops came to ({@code notice} set, with its {@code type}: a mass change).
     */
    record Event(long id, long logIndex, long time, String op, String origin, Map<String, Object> subject, Result result,
                 Map<String, Object> notice) {

        static Event of(long id, long logIndex, long time, Op op, Result result) {
            Map<String, Object> subject = new LinkedHashMap<>(4);
            putSubject(subject, op);
            return new Event(id, logIndex, time, NodeMetrics.opType(op), NodeMetrics.originNode(op), subject, result, null);
        }

        /** The server-sent event's name: "op", or the notice's type. */
        String type() {
            return notice == null ? "op" : String.valueOf(notice.get("type"));
        }
    }

    /** At least the most ops one log entry can carry. */
    static final long IDS_PER_ENTRY = 1024;
    private long lastLogIndex = -1;
    private long placeInEntry;

    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    private long lastId;
    /** Told (on the apply thread) that events were added; must only hand the news on. */
    private volatile Runnable onAppend = () -> {};

    // ---------------------------------------------------------------- in (apply thread)

    @Override
    public void changed(String path, Entry before, Entry after) {}

    @Override
    public void applied(long logIndex, Op op, Result result) {
        if (op instanceof Op.Chunk) return; // bytes of large files: counted in metrics, not news
        synchronized (this) {
            add(Event.of(nextId(logIndex), logIndex, System.currentTimeMillis(), op, result));
        }
        onAppend.run();
    }

    /**
     * A notice about the ops applied up to {@code logIndex} (its {@code type} names the event, as
     * "mass-change"), streamed in their order with an id of its own. Apply thread.
     */
    void notice(long logIndex, Map<String, Object> notice) {
        synchronized (this) {
            add(new Event(nextId(logIndex), logIndex, System.currentTimeMillis(), null, null, Map.of(), null,
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notice))));
        }
        onAppend.run();
    }

    /** The id of the next event of entry {@code logIndex}. */
    private long nextId(long logIndex) {
        placeInEntry = logIndex == lastLogIndex ? placeInEntry + 1 : 0;
        lastLogIndex = logIndex;
        return logIndex * IDS_PER_ENTRY + placeInEntry;
    }

    private void add(Event e) {
        ring.addLast(e);
        if (ring.size() > CAPACITY) ring.removeFirst();
        lastId = Math.max(lastId, e.id());
    }

    void onAppend(Runnable wake) {
        this.onAppend = wake;
    }

    synchronized long lastId() {
        return lastId;
    }

    synchronized List<Event> after(long id, int max) {
        List<Event> out = new ArrayList<>();
        for (Event e : ring) {
            if (e.id() > id) {
                out.add(e);
                if (out.size() >= max) break;
            }
        }
        return out;
    }

    /** The id of the oldest event kept; one past the last id when none is. */
    synchronized long oldestId() {
        return ring.isEmpty() ? lastId + 1 : ring.peekFirst().id();
    }

    static Map<String, Object> render(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("index", e.logIndex());
        m.put("time", e.time());
        if (e.notice() != null) {
            m.putAll(e.notice());
            return m;
        }
        m.put("op", e.op());
        m.putAll(e.subject());
        m.put("origin", e.origin());
        Result r = e.result();
        m.put("result", r.status().name().toLowerCase(Locale.ROOT));
        if (r.path() != null) m.put("resultPath", r.path());
        m.put("version", r.version());
        if (r.detail() != null) m.put("detail", r.detail());
        return m;
    }

    /** What an op is about: its path(s), or for a hello the address announced. */
    private static void putSubject(Map<String, Object> m, Op op) {
        op.accept(new Op.Cases<Void>() {
            @Override
            public Void chunk(Op.Chunk c) {
                return null; // not an event
            }

            @Override
            public Void put(Op.Put p) {
                m.put("path", p.path());
                m.put("size", p.size());
                return null;
            }

            @Override
            public Void mkdir(Op.Mkdir mk) {
                m.put("path", mk.path());
                return null;
            }

            @Override
            public Void delete(Op.Delete d) {
                m.put("path", d.path());
                return null;
            }

            @Override
            public Void rename(Op.Rename r) {
                m.put("path", r.from());
                m.put("to", r.to());
                return null;
            }

            @Override
            public Void meta(Op.Meta mt) {
                m.put("path", mt.path());
                return null;
            }

            @Override
            public Void hello(Op.Hello h) {
                m.put("peer", h.peerAddress());
                return null;
            }

            @Override
            public Void trust(Op.Trust t) {
                m.put("trust", t.describe());
                return null;
            }

            @Override
            public Void restore(Op.Restore r) {
                m.put("path", r.path());
                if (r.version() > 0) m.put("restoredVersion", r.version());
                else m.put("at", r.atMillis());
                if (r.to() != null) m.put("to", r.to());
                return null;
            }

            @Override
            public Void history(Op.History h) {
                return null;
            }
        });
    }

    @Override
    public void close() {
        onAppend = () -> {};
    }
}
