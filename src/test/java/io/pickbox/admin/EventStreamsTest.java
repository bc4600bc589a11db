package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.InputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Event-stream clients against a server with few threads: they hold none, and past the cap they are refused. */
class EventStreamsTest {

    private static final int SERVER_THREADS = 16;

    private final EventHub hub = new EventHub();
    private EventStreams streams;
    private Javalin app;
    private final List<Stream> open = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Stream s : open) s.close();
        if (streams != null) streams.close();
        if (app != null) app.stop();
        hub.close();
    }

    private void start(int maxClients, long keepAliveMillis) {
        streams = new EventStreams(hub, maxClients, keepAliveMillis);
        AdminSettings settings = new AdminSettings("127.0.0.1", 0, List.of(), null, Path.of("unused"));
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jetty.threadPool = new QueuedThreadPool(SERVER_THREADS, 2);
        });
        new WebRoutes(streams, new Sessions(), settings).register(app);
        app.get("/v1/status", ctx -> ctx.json(Map.of("ok", true)));
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(ApiError.body(e.error, e.getMessage())));
        app.start("127.0.0.1", 0);
    }

    /** A client reading an event stream line by line over its own connection. */
    private final class Stream implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final int status;

        Stream(String query) throws IOException {
            socket = new Socket("127.0.0.1", app.port());
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/events" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + app.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream raw = new BufferedInputStream(socket.getInputStream());
            status = Integer.parseInt(asciiLine(raw).split(" ")[1]);
            boolean chunked = false;
            for (String line = asciiLine(raw); !line.isEmpty(); line = asciiLine(raw)) {
                if (line.equalsIgnoreCase("Transfer-Encoding: chunked")) chunked = true;
            }
            in = new BufferedReader(new InputStreamReader(chunked ? new Dechunked(raw) : raw, StandardCharsets.UTF_8));
            open.add(this);
        }

        /** The next line that is not blank. */
        String nextLine() throws IOException {
            String line = in.readLine();
            while (line != null && line.isEmpty()) line = in.readLine();
            return line;
        }

        /** The next line starting with {@code prefix}, skipping others. */
        String await(String prefix) throws IOException {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(prefix)) return line;
            }
            throw new AssertionError("the stream ended before " + prefix);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String asciiLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new EOFException();
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    /** A chunked response body as the bytes it carries. */
    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private int left;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                String size = asciiLine(in);
                if (size.isEmpty()) size = asciiLine(in); // the CRLF after the previous chunk
                left = Integer.parseInt(size.trim(), 16);
                if (left == 0) return -1;
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void apply(long logIndex, String path) {
        hub.applied(logIndex, new Op.Put(new Op.Origin("n1", logIndex), path, 3, "a".repeat(64), List.of("a".repeat(64)), 0644, 1, 0, true),
                Result.applied(path, logIndex));
    }

    @Test
    void streamsHoldNoServerThreadAndAllGetEachEvent() throws Exception {
        start(40, EventStreams.KEEPALIVE_MS);
        List<Stream> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Stream s = new Stream("");
            assertThat(s.status).isEqualTo(200);
            assertThat(s.nextLine()).isEqualTo(": connected");
            clients.add(s);
        }
        // More streams than the server has threads: it still answers.
        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        apply(7, "a.txt");
        for (Stream s : clients) {
            assertThat(s.await("id: ")).isEqualTo("id: " + 7 * EventHub.IDS_PER_ENTRY);
            assertThat(s.await("data: ")).contains("\"path\":\"a.txt\"");
        }
    }

    @Test
    void pastTheCapAClearErrorAndASlotFreesWhenAClientLeaves() throws Exception {
        start(3, 100);
        List<Stream> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) clients.add(new Stream(""));
        HttpResponse<String> refused = get("/v1/events");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = new ObjectMapper().readTree(refused.body());
        assertThat(body.path("error").asText()).isEqualTo("unavailable");
        assertThat(body.path("detail").asText()).contains("3 clients");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();

        clients.get(0).close();
        // The server notices a client is gone when its keep-alive cannot be written.
        await().atMost(Duration.ofSeconds(20)).until(() -> streams.clients() < 3);
        try (Stream again = new Stream("")) {
            assertThat(again.status).isEqualTo(200);
        }
    }

    /** A cursor near Long.MAX_VALUE is ahead of every event, not behind the ring: no gap, nothing sent. */
    @Test
    void aHugeCursorIsNoGap() throws Exception {
        start(10, 100);
        for (long i = 1; i <= 3; i++) apply(i, "f" + i);
        try (Stream s = new Stream("?since=" + Long.MAX_VALUE)) {
            assertThat(s.status).isEqualTo(200);
            assertThat(s.nextLine()).isEqualTo(": connected");
            apply(4, "f4");
            assertThat(s.nextLine()).isEqualTo(": keep-alive");
            assertThat(s.nextLine()).isEqualTo(": keep-alive");
        }
        assertThat(get("/v1/events?since=" + Long.MAX_VALUE + "0").statusCode()).isEqualTo(400);
        assertThat(get("/v1/events?since=-1").statusCode()).isEqualTo(400);
    }

    @Test
    void aCursorBeforeTheRingGetsAGapThenTheKeptEvents() throws Exception {
        start(10, 60_000);
        for (long i = 100; i <= 102; i++) apply(i, "f" + i);
        try (Stream s = new Stream("?since=" + 5 * EventHub.IDS_PER_ENTRY)) {
            assertThat(s.nextLine()).isEqualTo("event: gap");
            assertThat(s.await("id: ")).isEqualTo("id: " + 100 * EventHub.IDS_PER_ENTRY);
        }
        try (Stream s = new Stream("?since=" + 100 * EventHub.IDS_PER_ENTRY)) {
            assertThat(s.nextLine()).isEqualTo(": connected");
            assertThat(s.await("id: ")).isEqualTo("id: " + 101 * EventHub.IDS_PER_ENTRY);
        }
    }
}
