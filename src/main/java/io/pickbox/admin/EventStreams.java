package io.pickbox.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server-sent-event clients of {@link EventHub}, all fed by one writer thread with
 * non-blocking writes: a client holds no server thread while it waits for events (the response is
 * asynchronous), and one that reads slowly only falls behind. Past {@link #MAX_CLIENTS} clients a
 * new one is refused with 503: a crowd of streams must leave the API answering.
 */
final class EventStreams implements AutoCloseable {

    /** Clients streaming at once at most: dashboards and scripts following a node are a handful. */
    static final int MAX_CLIENTS = 64;
    static final long KEEPALIVE_MS = 15_000;
    /** Events rendered into one write at most; a client far behind gets the rest as it reads. */
    private static final int EVENTS_PER_WRITE = 200;
    /** Rendered events kept for the next client that wants them (clients mostly want the same ones). */
    private static final int RENDERED_KEPT = 2_048;

    private final EventHub hub;
    private final int maxClients;
    private final long keepAliveMillis;
    private final ObjectMapper json = new ObjectMapper();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pickbox-events");
        t.setDaemon(true);
        return t;
    });
    /** Touched by the writer thread only. */
    private final Map<Long, byte[]> rendered = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > RENDERED_KEPT;
        }
    };

    EventStreams(EventHub hub) {
        this(hub, MAX_CLIENTS, KEEPALIVE_MS);
    }

    EventStreams(EventHub hub, int maxClients, long keepAliveMillis) {
        this.hub = hub;
        this.maxClients = maxClients;
        this.keepAliveMillis = keepAliveMillis;
        long tick = Math.max(10, keepAliveMillis / 3);
        writer.scheduleWithFixedDelay(this::pumpAll, tick, tick, TimeUnit.MILLISECONDS);
        hub.onAppend(this::wake);
    }

    /** Clients streaming now. */
    int clients() {
        return slots.get();
    }

    /**
     * Streams events after {@code since} (from now when null) as text/event-stream until the client
     * goes away; the request's thread returns at once.
     *
     * @throws ApiError 503 when {@link #MAX_CLIENTS} clients are streaming already
     */
    void serve(Context ctx, Long since) {
        if (slots.incrementAndGet() > maxClients) {
            slots.decrementAndGet();
            ctx.header("Retry-After", "30");
            throw new ApiError(503, "unavailable", "this node already streams events to " + maxClients
                    + " clients, the most it serves at once; try again later or follow another node");
        }
        var res = ctx.res();
        res.setStatus(200);
        res.setCharacterEncoding("UTF-8");
        res.setContentType("text/event-stream");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        Client client = new Client();
        client.ended.whenComplete((v, e) -> {
            clients.remove(client);
            slots.decrementAndGet();
        });
        start(client, since);
        ctx.future(() -> {
            try {
                var async = ctx.req().getAsyncContext();
                async.setTimeout(0);
                async.addListener(client);
                client.out = res.getOutputStream();
                clients.add(client);
                client.out.setWriteListener(client);
            } catch (IOException | RuntimeException e) {
                client.ended.complete(null);
            }
            return client.ended;
        });
    }

    /** The first thing a client is sent, and where it continues from. */
    private void start(Client c, Long since) {
        long oldest = hub.oldestId();
        if (since == null) {
            c.cursor = hub.lastId();
            c.pending = ": connected\n\n".getBytes(StandardCharsets.UTF_8);
            return;
        }
        // Compared without adding to since: a cursor near Long.MAX_VALUE is a client far ahead, not behind.
        c.pending = since > 0 && since < oldest - 1 ? gap(since, oldest) : ": connected\n\n".getBytes(StandardCharsets.UTF_8);
        c.cursor = Math.max(since, oldest - 1);
    }

    private byte[] gap(long since, long oldest) {
        try {
            return frame("gap", json.writeValueAsString(Map.of("since", since, "oldest", oldest,
                    "detail", "events before " + oldest + " are no longer kept; reload the full state")), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** New events: every client is written to soon, on the writer thread (the apply thread only asks). */
    private void wake() {
        if (wakePending.getAndSet(true)) return;
        try {
            writer.execute(() -> {
                wakePending.set(false);
                pumpAll();
            });
        } catch (RejectedExecutionException closed) {
            wakePending.set(false);
        }
    }

    private void pumpAll() {
        for (Client c : clients) pump(c);
    }

    /** Writes what {@code c} has not been sent yet, while its connection takes it without blocking. Writer thread only. */
    private void pump(Client c) {
        if (c.ended.isDone() || c.out == null) return;
        try {
            while (c.out.isReady()) {
                byte[] next = next(c);
                if (next != null) {
                    c.out.write(next);
                    c.unflushed = true;
                    c.lastWrite = System.currentTimeMillis();
                } else if (c.unflushed) {
                    c.unflushed = false;
                    c.out.flush();
                } else {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            c.ended.complete(null);
        }
    }

    /** The next bytes for {@code c}: its greeting, a gap it fell into, events, a keep-alive when due, or null. */
    private byte[] next(Client c) throws JsonProcessingException {
        if (c.pending != null) {
            byte[] p = c.pending;
            c.pending = null;
            return p;
        }
        long oldest = hub.oldestId();
        if (c.cursor < oldest - 1) {
            // It read too slowly: the ring moved past events it was never sent.
            byte[] g = gap(c.cursor, oldest);
            c.cursor = oldest - 1;
            return g;
        }
        List<EventHub.Event> batch = hub.after(c.cursor, EVENTS_PER_WRITE);
        if (!batch.isEmpty()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (EventHub.Event e : batch) out.writeBytes(rendered(e));
            c.cursor = batch.get(batch.size() - 1).id();
            return out.toByteArray();
        }
        if (System.currentTimeMillis() - c.lastWrite >= keepAliveMillis) {
            return ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    private byte[] rendered(EventHub.Event e) throws JsonProcessingException {
        byte[] r = rendered.get(e.id());
        if (r == null) {
            r = frame(e.type(), json.writeValueAsString(EventHub.render(e)), String.valueOf(e.id()));
            rendered.put(e.id(), r);
        }
        return r;
    }

    private static byte[] frame(String event, String data, String id) {
        StringBuilder sb = new StringBuilder();
        if (id != null) sb.append("id: ").append(id).append('\n');
        sb.append("event: ").append(event).append('\n');
        sb.append("data: ").append(data).append("\n\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Ends every stream (each response completes) and the writer thread. */
    @Override
    public void close() {
        hub.onAppend(() -> {});
        for (Client c : clients) c.ended.complete(null);
        writer.shutdownNow();
    }

    /** One streaming client; its fields are the writer thread's. */
    private final class Client implements WriteListener, AsyncListener {
        /** Completed when the stream ends, which completes the response. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile ServletOutputStream out;
        long cursor;
        byte[] pending;
        boolean unflushed;
        long lastWrite = System.currentTimeMillis();

        @Override
        public void onWritePossible() {
            runOnWriter(() -> pump(this));
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(null);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            ended.complete(null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            ended.complete(null);
        }

        @Override
        public void onError(AsyncEvent event) {
            ended.complete(null);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        private void runOnWriter(Runnable task) {
            try {
                writer.execute(task);
            } catch (RejectedExecutionException closed) {
                ended.complete(null);
            }
        }
    }
}
