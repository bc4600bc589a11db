package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The dashboard's page and assets, its sign-in, and the event stream it (and {@code pickbox}
 * tools) follow.
 */
final class WebRoutes {

    private static final int MAX_SIGN_IN_BYTES = 4096;

    private static final Map<String, String> WEB = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

    private final EventStreams events;
    private final Sessions sessions;
    private final String token;
    private final String cookie;

    WebRoutes(EventStreams events, Sessions sessions, AdminSettings settings) {
        this.events = events;
        this.sessions = sessions;
        this.token = settings.token();
        this.cookie = RequestGuard.cookieName(settings.port());
    }

    void register(Javalin app) {
        app.before("/v1/events", WebRoutes::checkEventCursor);
        app.get("/", ctx -> serveResource(ctx, "index.html"));
        app.get("/web/{name}", this::webAsset);
        app.get("/v1/events", ctx -> events.serve(ctx, ctx.attribute("since")));
        app.get(RequestGuard.SESSION_PATH, this::session);
        app.post(RequestGuard.SESSION_PATH, this::signIn);
        app.delete(RequestGuard.SESSION_PATH, this::signOut);
    }

    /** Whether this browser is signed in (so the dashboard offers to sign out). */
    private void session(Context ctx) {
        ctx.json(Map.of("signedIn", token != null && sessions.use(ctx.cookie(cookie))));
    }

    /**
     * {@code {"token": "..."}} for a session cookie the browser sends from then on (EventSource
     * included, which cannot set headers). HttpOnly keeps it from scripts; SameSite=Strict keeps
     * it off requests other sites start. A node with no token has nothing to sign in to.
     */
    private void signIn(Context ctx) throws IOException {
        String given = tokenField(ctx);
        if (token == null) {
            ctx.status(204);
            return;
        }
        if (!RequestGuard.tokenMatches(token, given)) throw new ApiError(401, "unauthorized", "wrong token");
        ctx.header("Set-Cookie", cookie + "=" + sessions.open() + "; Path=/; HttpOnly; SameSite=Strict"
                + (ctx.req().isSecure() ? "; Secure" : ""));
        ctx.status(204);
    }

    private void signOut(Context ctx) {
        sessions.close(ctx.cookie(cookie));
        ctx.header("Set-Cookie", cookie + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (ctx.req().isSecure() ? "; Secure" : ""));
        ctx.status(204);
    }

    private String tokenField(Context ctx) throws IOException {
        JsonNode n = JsonBody.read(ctx, MAX_SIGN_IN_BYTES);
        JsonNode t = n == null ? null : n.get("token");
        if (t == null || !t.isTextual()) throw new ApiError(400, "bad request", "send {\"token\": \"...\"}");
        return t.asText();
    }

    /** ?since=N or Last-Event-ID: resume after that log index; validated before the stream starts. */
    private static void checkEventCursor(Context ctx) {
        // An EventSource reconnecting sends Last-Event-ID (the last event it saw): that wins over ?since=.
        String since = ctx.header("Last-Event-ID");
        if (since == null || since.isBlank()) since = ctx.queryParam("since");
        if (since == null || since.isEmpty()) return;
        try {
            long n = Long.parseLong(since.trim());
            if (n < 0) throw new NumberFormatException();
            ctx.attribute("since", n);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "bad request", "since must be a log index (a non-negative integer): " + since);
        }
    }

    private void webAsset(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        if (!WEB.containsKey(name)) throw new ApiError(404, "not found", ctx.path());
        serveResource(ctx, name);
    }

    private static void serveResource(Context ctx, String name) throws IOException {
        try (InputStream in = WebRoutes.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new ApiError(404, "not found", "/web/" + name);
            ctx.contentType(WEB.get(name)).header("Cache-Control", "no-store")
                    .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                    .header("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
                    .result(in.readAllBytes());
        }
    }
}
