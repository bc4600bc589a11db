package io.pickbox.transfer;

import io.javalin.Javalin;
import io.javalin.http.Context;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The port peers push and fetch chunks on, apart from the admin API: operators' and dashboards'
 * traffic cannot take its threads, and it binds the node's own address (the admin API usually
 * binds loopback). With TLS, only a member may connect: the handshake requires a certificate of
 * the cluster, and each request checks it was not revoked since the connection opened.
 */
public final class PeerServer implements AutoCloseable {

    private static final String CLIENT_CERTS = "jakarta.servlet.request.X509Certificate";
    /** Peers send and fetch a few chunks at a time each: a small pool, its own. */
    private static final int MAX_THREADS = 16;

    private final String host;
    private final int port;
    private final PeerAccess access;
    private final Predicate<X509Certificate> revoked;
    private final PeerChunkRoutes routes;
    private Javalin app;

    /** @param revoked whether a member's certificate was revoked (the member was removed) */
    public PeerServer(String host, int port, PeerAccess access, Predicate<X509Certificate> revoked, PeerChunkRoutes routes) {
        this.host = host;
        this.port = port;
        this.access = access;
        this.revoked = revoked;
        this.routes = routes;
    }

    public void start() {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2, 30_000);
        threads.setName("pickbox-peer");
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();
            cfg.jetty.threadPool = threads;
            cfg.jetty.addConnector((server, http) -> access.isTls() ? tlsConnector(server, http) : plainConnector(server, http));
        });
        app.before(this::admit);
        routes.register(app);
        app.start();
    }

    private ServerConnector plainConnector(org.eclipse.jetty.server.Server server, HttpConfiguration http) {
        ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
        c.setHost(host);
        c.setPort(port);
        return c;
    }

    private ServerConnector tlsConnector(org.eclipse.jetty.server.Server server, HttpConfiguration http) {
        HttpConnectionFactory https = JettyTls.https(http);
        ServerConnector c = new ServerConnector(server, JettyTls.tls(access.tls(), true, https), https);
        c.setHost(host);
        c.setPort(port);
        return c;
    }

    /** Members only: a certificate of the cluster that was not revoked, or on a plaintext cluster the token. */
    private void admit(Context ctx) {
        if (access.isTls()) {
            Object certs = ctx.req().getAttribute(CLIENT_CERTS);
            X509Certificate[] chain = certs instanceof X509Certificate[] c ? c : null;
            if (chain == null || chain.length == 0) refuse(ctx, 401, "a member's certificate is required");
            else if (revoked.test(chain[0])) refuse(ctx, 403, "this member's certificate was revoked");
            return;
        }
        if (access.token() == null) return;
        String auth = ctx.header("Authorization");
        byte[] want = ("Bearer " + access.token()).getBytes(StandardCharsets.UTF_8);
        if (auth == null || !MessageDigest.isEqual(want, auth.getBytes(StandardCharsets.UTF_8))) {
            refuse(ctx, 401, "a valid bearer token is required");
        }
    }

    private static void refuse(Context ctx, int status, String detail) {
        PeerChunkRoutes.discardBody(ctx);
        ctx.status(status).json(Map.of("error", status == 401 ? "unauthorized" : "forbidden", "detail", detail));
        ctx.skipRemainingHandlers();
    }

    /** The port bound (the one asked for, or the one chosen for port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        if (app != null) app.stop();
    }
}
