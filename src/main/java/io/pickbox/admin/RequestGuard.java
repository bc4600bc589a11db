package io.pickbox.admin;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.pickbox.transfer.PercentEncoding;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Only this machine's tools and token holders may use the API: the Host header must name this
 * server (no DNS rebinding), the caller must hold the token when one is set (as a bearer header,
 * or as the session cookie the dashboard got by signing in), and changes must come from no other
 * origin and with a JSON or octet-stream body (a web page's form post cannot send those).
 * The token is never accepted in a URL: URLs end up in logs, history and Referer headers.
 * Runs before every request.
 */
final class RequestGuard implements Handler {

    /** Where the dashboard signs in and out; open without a token (signing in is how one shows it). */
    static final String SESSION_PATH = "/v1/session";

    private final String token;
    private final Sessions sessions;
    private final String cookie;
    /** Accepted Host header values: canonical host, a colon, the admin port. */
    private final Set<String> allowedHosts;

    /** Plaintext is served to this machine's own clients only. */
    private final boolean httpsBeyondLoopback;

    RequestGuard(AdminSettings settings, Sessions sessions) {
        this.token = settings.token();
        this.httpsBeyondLoopback = settings.servesHttps();
        this.sessions = sessions;
        this.cookie = cookieName(settings.port());
        Set<String> hosts = new HashSet<>();
        for (String name : hostNames(settings)) hosts.add(canonicalHost(name) + ":" + settings.port());
        this.allowedHosts = Set.copyOf(hosts);
    }

    /**
     * Cookies are scoped by host, not port: several nodes on one machine each need their own
     * cookie, or signing in to one would sign the browser out of the others.
     */
    static String cookieName(int port) {
        return Sessions.COOKIE + "_" + port;
    }

    /**
     * The names this server answers to: loopback, the bind address and every advertised name.
     * Bound to every interface, it answers to each interface's address too, but not to any name:
     * a name that resolves here is exactly what DNS rebinding uses, so names must be advertised.
     * (The wildcard address itself stays: it is no name, and peers on this machine reach a node
     * that announced it by it.)
     */
    static List<String> hostNames(AdminSettings settings) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1", settings.host()));
        if (isWildcard(settings.host())) names.addAll(interfaceAddresses());
        names.addAll(settings.advertise());
        return names;
    }

    @Override
    public void handle(Context ctx) {
        requireUtf8(ctx);
        // Checked first: a token sent in plaintext over the network is refused before it is read.
        if (httpsBeyondLoopback && !ctx.req().isSecure() && !isLoopback(ctx.req().getRemoteAddr())) {
            throw new ApiError(403, "forbidden", "this admin API is reachable from other machines: use https (the CLI: --tls-ca FILE)");
        }
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.contains(canonicalHostPort(host))) {
            throw new ApiError(403, "forbidden", "unexpected Host header: " + host
                    + " (a name other than the bind address must be given with --advertise)");
        }
        String method = ctx.method().name();
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        boolean open = (read && (ctx.path().equals("/") || ctx.path().startsWith("/web/"))) || ctx.path().equals(SESSION_PATH);
        boolean bySession = false;
        if (token != null && !open && !bearerOk(ctx)) {
            bySession = sessions.use(ctx.cookie(cookie));
            if (!bySession) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiError(401, "unauthorized",
                        "a valid token is required: send Authorization: Bearer <token>, or sign in to the dashboard");
            }
        }
        if (read) return;
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(ctx, origin)) {
            throw new ApiError(403, "forbidden", "cross-origin requests may not change anything: " + origin);
        }
        // A browser sends Origin with every change it makes: one without is not a page of ours.
        if (bySession && origin == null) {
            throw new ApiError(403, "forbidden", "a change made with a session cookie must carry an Origin header");
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

    /**
     * Paths and query values are UTF-8: percent-encoded bytes that are not would be decoded to
     * U+FFFD, naming another file than the one the client meant.
     */
    static void requireUtf8(Context ctx) {
        if (!PercentEncoding.isUtf8(ctx.req().getRequestURI()) || !PercentEncoding.isUtf8(ctx.req().getQueryString())) {
            throw new ApiError(400, "bad request", "the URL holds percent-encoded bytes that are not UTF-8 (or a stray '%'): "
                    + "paths and query values must be UTF-8");
        }
    }

    /** Whether {@code given} is the token: compared in constant time. */
    static boolean tokenMatches(String token, String given) {
        return token != null && given != null
                && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private boolean bearerOk(Context ctx) {
        String auth = ctx.header("Authorization");
        return auth != null && auth.startsWith("Bearer ") && tokenMatches(token, auth.substring("Bearer ".length()));
    }

    private boolean sameOrigin(Context ctx, String origin) {
        String scheme = (ctx.req().isSecure() ? "https" : "http") + "://";
        return origin.startsWith(scheme) && allowedHosts.contains(canonicalHostPort(origin.substring(scheme.length())));
    }

    /** "Host:port" with the host made canonical; unparsable input yields something no allowed host equals. */
    private static String canonicalHostPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || hostPort.endsWith("]")) return "";
        return canonicalHost(hostPort.substring(0, colon)) + hostPort.substring(colon);
    }

    /**
     * A host as one string per address: names lower-cased, IPv6 literals (bracketed or not) in
     * Java's full form, so {@code [::1]} and {@code [0:0:0:0:0:0:0:1]} are the same host.
     */
    static String canonicalHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (!h.contains(":")) return h;
        int zone = h.indexOf('%');
        if (zone >= 0) h = h.substring(0, zone);
        try {
            // A string with a colon is parsed as an IPv6 literal, never looked up.
            return "[" + InetAddress.getByName(h).getHostAddress() + "]";
        } catch (IOException e) {
            return "[" + h + "]";
        }
    }

    private static List<String> interfaceAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) out.add(a.getHostAddress());
            }
        } catch (SocketException e) {
            // Without the list, loopback and advertised names still work.
        }
        return out;
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
