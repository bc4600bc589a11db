package io.pickbox.admin;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard in front of a real server: who may read and change (bearer header or the dashboard's
 * session cookie, never a token in the URL) and which Host names it answers to. Requests are
 * written by hand because HTTP clients will not send a foreign Host header.
 */
class RequestGuardTest {

    private static final String TOKEN = "correct horse battery staple";

    private Javalin app;
    private EventHub events;
    private EventStreams streams;
    private int port;
    private final List<String> changes = new ArrayList<>();

    @AfterEach
    void stop() {
        if (app != null) app.stop();
        if (streams != null) streams.close();
        if (events != null) events.close();
    }

    /** A server with the guard, the dashboard's routes, one read and one change. */
    private void start(String bindHost, List<String> advertise, String token, Sessions sessions) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AdminSettings settings = new AdminSettings(bindHost, port, advertise, token, Path.of("unused"));
        events = new EventHub();
        streams = new EventStreams(events);
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
        });
        app.before(new RequestGuard(settings, sessions));
        new WebRoutes(streams, sessions, settings).register(app);
        app.get("/v1/status", ctx -> ctx.json(Map.of("ok", true)));
        app.put("/v1/files/{path}", ctx -> {
            changes.add(ctx.pathParam("path"));
            ctx.json(Map.of("status", "applied"));
        });
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(ApiError.body(e.error, e.getMessage())));
        app.start(bindHost, port);
    }

    private void start() throws IOException {
        start("127.0.0.1", List.of(), TOKEN, new Sessions());
    }

    record Response(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }
    }

    private Response send(String method, String path, String host, String body, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) req.append("Content-Length: ").append(bytes.length).append("\r\n");
        req.append("Connection: close\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            return parse(s.getInputStream().readAllBytes());
        }
    }

    /** The status of a response that streams on (the event stream): its first line only. */
    private int streamStatus(String path, String cookie) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + local() + "\r\nCookie: " + cookie
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') line.write(c);
            return Integer.parseInt(line.toString(StandardCharsets.ISO_8859_1).split(" ")[1]);
        }
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
    }

    private String local() {
        return "127.0.0.1:" + port;
    }

    private Response get(String path, String... headers) throws IOException {
        return send("GET", path, local(), null, headers);
    }

    private Response signIn(String token, String... headers) throws IOException {
        List<String> h = new ArrayList<>(List.of("Content-Type", "application/json", "Origin", "http://" + local()));
        h.addAll(List.of(headers));
        return send("POST", RequestGuard.SESSION_PATH, local(), "{\"token\": \"" + token + "\"}", h.toArray(String[]::new));
    }

    /** The cookie's "name=value" from a sign-in answer. */
    private static String cookieOf(Response r) {
        return r.header("Set-Cookie").split(";")[0];
    }

    @Test
    void bearerHeaderIsAccepted() throws Exception {
        start();
        assertThat(get("/v1/status", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(200);
        assertThat(get("/v1/status").status()).isEqualTo(401);
        assertThat(get("/v1/status", "Authorization", "Bearer wrong").status()).isEqualTo(401);
        assertThat(get("/v1/status", "Authorization", TOKEN).status()).isEqualTo(401);
    }

    @Test
    void tokenInTheUrlIsRefused() throws Exception {
        start();
        assertThat(get("/v1/status?token=" + TOKEN.replace(" ", "%20")).status()).isEqualTo(401);
        Response put = send("PUT", "/v1/files/t?token=" + TOKEN.replace(" ", "%20"), local(), "x",
                "Content-Type", "application/octet-stream");
        assertThat(put.status()).isEqualTo(401);
        assertThat(changes).isEmpty();
    }

    /** Percent-encoded bytes that are not UTF-8 would become U+FFFD, another name than the one sent: refused. */
    @Test
    void invalidUtf8InThePathOrQueryIsABadRequest() throws Exception {
        start();
        String[] auth = {"Authorization", "Bearer " + TOKEN, "Content-Type", "application/octet-stream"};
        for (String target : List.of("/v1/files/a%FFb", "/v1/files/a%C3", "/v1/files/%ED%A0%80", "/v1/files/t?x=%FF")) {
            Response put = send("PUT", target, local(), "x", auth);
            assertThat(put.status()).as(target + ": " + put.body()).isEqualTo(400);
            assertThat(put.header("Content-Type")).startsWith("application/json");
            assertThat(put.body()).contains("\"error\":\"bad request\"").contains("UTF-8");
        }
        assertThat(get("/v1/status?since=%FF", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(400);
        assertThat(changes).isEmpty();
        // Valid UTF-8, encoded or not, still works.
        assertThat(send("PUT", "/v1/files/%C3%A9t%C3%A9", local(), "x", auth).status()).isEqualTo(200);
        assertThat(changes).containsExactly("\u00e9t\u00e9");
    }

    @Test
    void signInSetsAStrictHttpOnlyCookieThatAuthenticates() throws Exception {
        start();
        Response in = signIn(TOKEN);
        assertThat(in.status()).as(in.body()).isEqualTo(204);
        String setCookie = in.header("Set-Cookie");
        assertThat(setCookie).startsWith(RequestGuard.cookieName(port) + "=")
                .contains("HttpOnly").contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure");
        assertThat(setCookie).doesNotContain(TOKEN);
        String cookie = cookieOf(in);
        assertThat(get("/v1/status", "Cookie", cookie).status()).isEqualTo(200);
        assertThat(streamStatus("/v1/events?since=0", cookie)).isEqualTo(200);
        assertThat(get(RequestGuard.SESSION_PATH, "Cookie", cookie).body()).isEqualTo("{\"signedIn\":true}");
        assertThat(get(RequestGuard.SESSION_PATH).body()).isEqualTo("{\"signedIn\":false}");
        assertThat(get("/v1/status", "Cookie", cookie + "x").status()).isEqualTo(401);
        assertThat(get("/v1/status", "Cookie", RequestGuard.cookieName(port + 1) + "=" + cookie.split("=", 2)[1]).status())
                .isEqualTo(401);
    }

    @Test
    void wrongTokenGetsNoCookie() throws Exception {
        start();
        Response in = signIn("not the token");
        assertThat(in.status()).isEqualTo(401);
        assertThat(in.header("Set-Cookie")).isNull();
        assertThat(send("POST", RequestGuard.SESSION_PATH, local(), "{}", "Content-Type", "application/json").status())
                .isEqualTo(400);
    }

    @Test
    void signOutEndsTheSession() throws Exception {
        start();
        String cookie = cookieOf(signIn(TOKEN));
        Response out = send("DELETE", RequestGuard.SESSION_PATH, local(), null, "Cookie", cookie, "Origin", "http://" + local());
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("Set-Cookie")).contains("Max-Age=0");
        assertThat(get("/v1/status", "Cookie", cookie).status()).isEqualTo(401);
    }

    @Test
    void changesWithACookieNeedOurOrigin() throws Exception {
        start();
        String cookie = cookieOf(signIn(TOKEN));
        String[] octets = {"Content-Type", "application/octet-stream", "Cookie", cookie};
        assertThat(send("PUT", "/v1/files/none", local(), "x", octets).status()).isEqualTo(403);
        assertThat(send("PUT", "/v1/files/evil", local(), "x", concat(octets, "Origin", "http://evil.example")).status())
                .isEqualTo(403);
        assertThat(send("PUT", "/v1/files/site", local(), "x",
                concat(octets, "Origin", "http://" + local(), "Sec-Fetch-Site", "cross-site")).status()).isEqualTo(403);
        assertThat(changes).isEmpty();
        assertThat(send("PUT", "/v1/files/ok", local(), "x", concat(octets, "Origin", "http://" + local())).status())
                .isEqualTo(200);
        assertThat(changes).containsExactly("ok");
    }

    @Test
    void signInFromAnotherOriginIsRefused() throws Exception {
        start();
        Response in = send("POST", RequestGuard.SESSION_PATH, local(), "{\"token\": \"" + TOKEN + "\"}",
                "Content-Type", "application/json", "Origin", "http://evil.example");
        assertThat(in.status()).isEqualTo(403);
        assertThat(in.header("Set-Cookie")).isNull();
    }

    @Test
    void theDashboardPageLoadsWithoutTheTokenButNoDataDoes() throws Exception {
        start();
        assertThat(get("/").status()).isEqualTo(200);
        assertThat(get("/web/app.js").status()).isEqualTo(200);
        assertThat(get("/v1/status").status()).isEqualTo(401);
    }

    @Test
    void sessionsAreBoundedAndExpire() throws Exception {
        long[] now = {0};
        start("127.0.0.1", List.of(), TOKEN, new Sessions(2, java.time.Duration.ofMinutes(10), () -> now[0]));
        String first = cookieOf(signIn(TOKEN));
        String second = cookieOf(signIn(TOKEN));
        String third = cookieOf(signIn(TOKEN));
        assertThat(get("/v1/status", "Cookie", first).status()).isEqualTo(401);
        assertThat(get("/v1/status", "Cookie", second).status()).isEqualTo(200);
        now[0] += java.time.Duration.ofMinutes(11).toNanos();
        assertThat(get("/v1/status", "Cookie", third).status()).isEqualTo(401);
    }

    @Test
    void advertisedNamesAreAcceptedOthersRefused() throws Exception {
        start("127.0.0.1", List.of("node1.lan", "203.0.113.7", "2001:db8::7"), TOKEN, new Sessions());
        String auth = "Bearer " + TOKEN;
        for (String host : List.of("node1.lan", "NODE1.lan", "203.0.113.7", "[2001:db8::7]", "[2001:db8:0:0:0:0:0:7]",
                "127.0.0.1", "localhost", "[::1]")) {
            assertThat(send("GET", "/v1/status", host + ":" + port, null, "Authorization", auth).status()).as(host).isEqualTo(200);
        }
        for (String host : List.of("evil.example:" + port, "node1.lan:" + (port + 1), "node1.lan", "node2.lan:" + port,
                "203.0.113.8:" + port, "[2001:db8::8]:" + port, "")) {
            assertThat(send("GET", "/v1/status", host, null, "Authorization", auth).status()).as(host).isEqualTo(403);
        }
        // A page served by an advertised name may change things through its own origin only.
        Response ok = send("PUT", "/v1/files/a", "node1.lan:" + port, "x", "Authorization", auth,
                "Content-Type", "application/octet-stream", "Origin", "http://node1.lan:" + port);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void aWildcardBindAcceptsLoopbackAndAdvertisedNamesButNoOtherName() throws Exception {
        start("0.0.0.0", List.of("node1.lan"), TOKEN, new Sessions());
        String auth = "Bearer " + TOKEN;
        assertThat(send("GET", "/v1/status", "node1.lan:" + port, null, "Authorization", auth).status()).isEqualTo(200);
        assertThat(send("GET", "/v1/status", "localhost:" + port, null, "Authorization", auth).status()).isEqualTo(200);
        assertThat(send("GET", "/v1/status", "rebound.example:" + port, null, "Authorization", auth).status()).isEqualTo(403);
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress address : java.util.Collections.list(nif.getInetAddresses())) {
                if (!(address instanceof java.net.Inet4Address)) continue;
                String host = address.getHostAddress() + ":" + port;
                assertThat(send("GET", "/v1/status", host, null, "Authorization", auth).status()).as(host).isEqualTo(200);
            }
        }
        assertThat(RequestGuard.hostNames(new AdminSettings("0.0.0.0", port, List.of(), TOKEN, Path.of("x"))))
                .contains("127.0.0.1", "0.0.0.0");
    }

    @Test
    void withoutATokenNothingAsksToSignIn() throws Exception {
        start("127.0.0.1", List.of(), null, new Sessions());
        assertThat(get("/v1/status").status()).isEqualTo(200);
        Response in = signIn("anything");
        assertThat(in.status()).isEqualTo(204);
        assertThat(in.header("Set-Cookie")).isNull();
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
