package io.pickbox.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.raft.MembershipChanges;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.index.IndexListener;
import io.pickbox.transfer.FreeSpace;
import io.pickbox.transfer.JettyTls;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The admin HTTP API of one node: the request guard in front of every route, the routes
 * themselves (status, files, history, cluster, dashboard and events, metrics), and
 * one shape for every error.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final AdminSettings settings;
    private final PrometheusMeterRegistry metrics;
    private final EventHub events = new EventHub();
    private final EventStreams streams = new EventStreams(events);
    private final LastError lastError = new LastError();
    private final StatusRoutes status;
    private final FileRoutes files;
    private final ClusterRoutes cluster;
    private final HistoryRoutes history;
    private final Sessions sessions = new Sessions();
    private final WebRoutes web;
    private Javalin app;

    /** @param metrics the registry scraped at {@code /metrics} */
    public AdminServer(AdminSettings settings, ClusterView clusterView, MembershipChanges membership, TrustActions trust,
                       LocalState local, FileService fileService, HistoryService historyService, PathExplainer explainer,
                       PrometheusMeterRegistry metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.status = new StatusRoutes(clusterView, local, trust, lastError);
        this.files = new FileRoutes(fileService, explainer, settings.uploadDir(), FreeSpace.OF_FILE_STORE);
        this.cluster = new ClusterRoutes(membership, trust, lastError);
        this.history = new HistoryRoutes(historyService);
        this.web = new WebRoutes(streams, sessions, settings);
    }

    /** Committed ops for the event stream: register with the index before any op is applied that clients should see. */
    public IndexListener events() {
        return events;
    }

    /**
     * A notice for the event stream about the ops applied up to {@code logIndex}, streamed as an
     * event named by its {@code type} (a mass change). Apply thread.
     */
    public void notice(long logIndex, java.util.Map<String, Object> notice) {
        events.notice(logIndex, notice);
    }

    public void start() {
        files.removeLeftoverUploads();
        if (!RequestGuard.isLoopback(settings.host()) && settings.token() == null) {
            throw new IllegalArgumentException("the admin port binds beyond loopback (" + settings.host() + "): an admin token is required (--admin-token-file FILE or PICKBOX_ADMIN_TOKEN)");
        }
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            if (settings.servesHttps()) cfg.jetty.addConnector(this::httpsOrLocalPlaintext);
        });
        app.before(new RequestGuard(settings, sessions));
        web.register(app);
        status.register(app);
        files.register(app);
        cluster.register(app);
        history.register(app);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(ApiError.body(e.error, e.getMessage())));
        app.exception(InvalidPathException.class, (e, ctx) -> ctx.status(400).json(ApiError.body("invalid path", e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("Admin request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
            lastError.set(ctx.method() + " " + ctx.path() + ": " + e);
            ctx.status(500).json(ApiError.body("internal error", e.toString()));
        });
        app.error(404, ctx -> {
            if (!isJson(ctx)) ctx.json(ApiError.body("not found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
        });
        app.error(405, ctx -> {
            if (!isJson(ctx)) ctx.json(ApiError.body("method not allowed", ctx.method() + " " + ctx.path()));
        });
        if (settings.servesHttps()) app.start();
        else app.start(settings.host(), settings.port());
    }

    /**
     * One port for both: TLS for every client, told apart from plaintext by its first bytes; the
     * request guard lets plaintext through only from this machine (tools on the node itself).
     */
    private ServerConnector httpsOrLocalPlaintext(Server server, HttpConfiguration http) {
        HttpConnectionFactory plain = JettyTls.https(http);
        ServerConnector c = new ServerConnector(server, new DetectorConnectionFactory(JettyTls.tls(settings.tls(), false, plain)), plain);
        c.setHost(settings.host());
        c.setPort(settings.port());
        return c;
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    @Override
    public void close() {
        streams.close();
        events.close();
        if (app != null) app.stop();
    }
}
