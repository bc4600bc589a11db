package io.pickbox.admin;

import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Only this machine's tools (or token holders) may use the API: the Host header must name this
 * server (no DNS rebinding), the token must match when one is set, and changes must come from no
 * other origin and with a JSON or octet-stream body (a web page's form post cannot send those).
 * Runs before every request.
 */
final class RequestGuard implements Handler {

    private final String token;
    private final boolean wildcard;
    private final Set<String> allowedHosts;

    RequestGuard(AdminSettings settings) {
        this.token = settings.token();
        this.wildcard = isWildcard(settings.host());
        Set<String> hosts = new HashSet<>();
        for (String h : List.of(settings.host(), "localhost", "127.0.0.1", "[::1]")) {
            hosts.add(h.toLowerCase(Locale.ROOT) + ":" + settings.port());
        }
        this.allowedHosts = Set.copyOf(hosts);
    }

    @Override
    public void handle(Context ctx) {
        String host = ctx.header("Host");
        if (!wildcard && (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT)))) {
            throw new ApiError(403, "forbidden", "unexpected Host header: " + host);
        }
        String method = ctx.method().name();
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        boolean asset = read && (ctx.path().startsWith("/web/"));
        if (token != null && !asset && !tokenOk(ctx, read)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer <token>)");
        }
        if (read) return;
        String origin = ctx.header("Origin");
        if (origin != null && !(origin.startsWith("http://") && (wildcard || allowedHosts.contains(origin.substring(7).toLowerCase(Locale.ROOT))))) {
            throw new ApiError(403, "forbidden", "cross-origin requests may not change anything: " + origin);
        }
        if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            throw new ApiError(403, "forbidden", "cross-site requests may not change anything");
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        boolean hasBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
        boolean needsType = method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || hasBody;
        if (needsType && !type.equals("application/json") && !type.equals("application/octet-stream")) {
            throw new ApiError(415, "unsupported media type", "send application/json (or application/octet-stream for file bytes), not '" + type + "'");
        }
    }

    private boolean tokenOk(Context ctx, boolean read) {
        byte[] want = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        String auth = ctx.header("Authorization");
        if (auth != null && MessageDigest.isEqual(want, auth.getBytes(StandardCharsets.UTF_8))) return true;
        // EventSource and a first page load cannot set headers: reads may carry ?token=.
        String q = read ? ctx.queryParam("token") : null;
        return q != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), q.getBytes(StandardCharsets.UTF_8));
    }

    /** An API bound beyond loopback must require a token. */
    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
