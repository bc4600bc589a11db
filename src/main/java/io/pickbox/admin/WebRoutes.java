package io.pickbox.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The dashboard's page and assets, and the event stream it (and {@code pickbox} tools) follow. */
final class WebRoutes {

    private static final Map<String, String> WEB = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

    private final EventHub events;

    WebRoutes(EventHub events) {
        this.events = events;
    }

    void register(Javalin app) {
        app.before("/v1/events", WebRoutes::checkEventCursor);
        app.get("/", ctx -> serveResource(ctx, "index.html"));
        app.get("/web/{name}", this::webAsset);
        app.get("/v1/events", ctx -> events.stream(ctx, ctx.attribute("since")));
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
