package io.pickbox.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.Result;
import io.pickbox.node.Node;
import io.pickbox.transfer.BlobStore;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The admin HTTP API of one node (status, files, chunk serving for peers, metrics). */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final long MAX_UPLOAD = 64L << 30;

    private final Node node;
    private final ObjectMapper json = new ObjectMapper();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Javalin app;

    public AdminServer(Node node) {
        this.node = node;
    }

    public void start() {
        String host = node.config().adminHost();
        if (!isLoopback(host) && node.config().adminToken() == null) {
            throw new IllegalArgumentException("the admin port binds beyond loopback (" + host + "): --admin-token is required");
        }
        registerMetrics();
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
        });
        app.before(this::guard);
        app.get("/v1/status", ctx -> ctx.json(status()));
        app.get("/v1/health", this::health);
        app.get("/v1/ready", this::ready);
        app.get("/v1/files", this::listFiles);
        app.get("/v1/files/<path>", this::getFile);
        app.put("/v1/files/<path>", this::putFile);
        app.delete("/v1/files/<path>", this::deleteFile);
        app.get("/v1/conflicts", this::conflicts);
        app.get("/v1/blobs/{sha}", this::blob);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(error(e.error, e.getMessage())));
        app.exception(InvalidPathException.class, (e, ctx) -> ctx.status(400).json(error("invalid path", e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("Admin request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
            ctx.status(500).json(error("internal error", e.toString()));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null) ctx.json(error("not found", ctx.path()));
        });
        app.start(host, node.config().adminPort());
    }

    private static Map<String, String> error(String error, String detail) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        return m;
    }

    // ---------------------------------------------------------------- safety

    /** Only this machine's tools may drive the API: token when set, no cross-origin writes. */
    private void guard(Context ctx) {
        String token = node.config().adminToken();
        if (token != null && !("Bearer " + token).equals(ctx.header("Authorization"))) {
            throw new ApiError(401, "unauthorized", "a valid bearer token is required");
        }
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return;
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals("http://" + ctx.host())) {
            throw new ApiError(403, "forbidden", "cross-origin requests may not change anything");
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim();
        boolean hasBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
        if (hasBody && !type.equals("application/json") && !type.equals("application/octet-stream")) {
            throw new ApiError(415, "unsupported media type", "send application/json or application/octet-stream");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- status

    public Map<String, Object> status() throws IOException {
        RaftServer.Division d = node.raft().division();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", node.config().nodeId());
        s.put("role", d.getInfo().getCurrentRole().name().toLowerCase());
        s.put("leader", d.getInfo().getLeaderId() == null ? null : d.getInfo().getLeaderId().toString());
        s.put("term", d.getInfo().getCurrentTerm());
        s.put("commitIndex", d.getRaftLog().getLastCommittedIndex());
        s.put("appliedIndex", d.getInfo().getLastAppliedIndex());
        Map<String, Long> commits = new LinkedHashMap<>();
        for (CommitInfoProto c : d.getCommitInfos()) commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        List<Map<String, Object>> members = new ArrayList<>();
        Map<String, String> admins = node.index().adminAddresses();
        long leaderCommit = d.getRaftLog().getLastCommittedIndex();
        for (RaftPeer p : d.getGroup().getPeers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            String id = p.getId().toString();
            m.put("id", id);
            m.put("address", p.getAddress());
            m.put("admin", admins.get(id));
            m.put("role", id.equals(String.valueOf(d.getInfo().getLeaderId())) ? "leader" : "follower");
            Long c = commits.get(id);
            m.put("commitIndex", c);
            m.put("lag", c == null ? null : Math.max(0, leaderCommit - c));
            members.add(m);
        }
        s.put("members", members);
        s.put("files", node.index().size());
        s.put("bytes", node.index().fileBytes());
        s.put("appliedOps", node.index().appliedOps());
        s.put("pending", node.sync().pendingCount());
        s.put("conflicts", node.index().conflicts().size());
        s.put("blocked", node.sync().blocked());
        s.put("problems", node.sync().problems());
        return s;
    }

    private void health(Context ctx) throws IOException {
        RaftServer.Division d = node.raft().division();
        boolean ok = d.getInfo().isAlive() && d.getInfo().getLeaderId() != null;
        ctx.status(ok ? 200 : 503).json(Map.of("healthy", ok));
    }

    private boolean isReady() throws IOException {
        RaftServer.Division d = node.raft().division();
        return d.getInfo().getLeaderId() != null
                && d.getInfo().getLastAppliedIndex() >= d.getRaftLog().getLastCommittedIndex()
                && node.sync().pendingCount() == 0;
    }

    private void ready(Context ctx) throws Exception {
        String wait = ctx.queryParam("wait");
        long deadline = System.nanoTime() + (wait == null ? 0 : parseDuration(wait).toNanos());
        boolean ready = isReady();
        while (!ready && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
            ready = isReady();
        }
        ctx.status(ready ? 200 : 503).json(Map.of("ready", ready));
    }

    static Duration parseDuration(String s) {
        var m = java.util.regex.Pattern.compile("(\\d{1,6})(ms|s|m)?").matcher(s.trim());
        if (!m.matches()) throw new ApiError(400, "bad request", "wait must look like 500ms, 5s or 1m: " + s);
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.compareTo(Duration.ofMinutes(5)) > 0) throw new ApiError(400, "bad request", "wait is limited to 5m");
        return d;
    }

    // ---------------------------------------------------------------- files

    private void listFiles(Context ctx) {
        String prefix = ctx.queryParam("prefix");
        prefix = prefix == null || prefix.isEmpty() ? "" : PathValidator.normalize(prefix);
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : node.index().list(prefix)) out.add(describe(e.getKey(), e.getValue()));
        ctx.json(out);
    }

    private static Map<String, Object> describe(String path, Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("type", e.isDir() ? "dir" : "file");
        m.put("version", e.version());
        m.put("size", e.size());
        m.put("sha256", e.sha256());
        m.put("mode", String.format("%04o", e.mode()));
        m.put("mtime", e.mtime());
        m.put("origin", e.origin());
        if (e.conflictOf() != null) m.put("conflictOf", e.conflictOf());
        return m;
    }

    private String pathParam(Context ctx) {
        return PathValidator.normalize(ctx.pathParam("path"));
    }

    private void getFile(Context ctx) throws IOException {
        String path = pathParam(ctx);
        Entry e = node.index().get(path);
        if (e == null) throw new ApiError(404, "not found", "not committed: " + path);
        if (ctx.queryParamMap().containsKey("content")) {
            if (e.isDir()) throw new ApiError(400, "bad request", path + " is a directory");
            List<InputStream> parts = new ArrayList<>();
            for (String c : e.chunks()) {
                if (!node.blobs().has(c)) throw new ApiError(503, "unavailable", "chunk not on this node yet: " + c);
                parts.add(Files.newInputStream(node.blobs().path(c)));
            }
            Enumeration<InputStream> en = Collections.enumeration(parts);
            ctx.contentType("application/octet-stream").header("Content-Length", String.valueOf(e.size()))
                    .result(new SequenceInputStream(en));
            return;
        }
        Map<String, Object> m = describe(path, e);
        var blocked = node.sync().blocked().get(path);
        var problem = node.sync().problems().get(path);
        var local = node.table().get(path);
        String state = blocked != null ? "blocked: " + blocked.reason()
                : problem != null ? "pending: " + problem
                : local != null && local.version() == e.version() ? "in sync" : "pending";
        m.put("sync", state);
        ctx.json(m);
    }

    private void putFile(Context ctx) throws Exception {
        String path = pathParam(ctx);
        if (!"application/octet-stream".equals(ctx.contentType() == null ? null : ctx.contentType().split(";")[0].trim())) {
            throw new ApiError(415, "unsupported media type", "file bytes must be sent as application/octet-stream");
        }
        Path uploads = Files.createDirectories(node.config().stateDir().resolve("uploads"));
        Path tmp = uploads.resolve(UUID.randomUUID().toString());
        try {
            try (InputStream in = ctx.bodyInputStream()) {
                long n = Files.copy(new LimitedInputStream(in, MAX_UPLOAD), tmp, StandardCopyOption.REPLACE_EXISTING);
                LOG.debug("Received {} bytes for {}", n, path);
            }
            Result r = node.sync().putFile(path, tmp).get(120, TimeUnit.SECONDS);
            answer(ctx, r);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void deleteFile(Context ctx) throws Exception {
        String path = pathParam(ctx);
        try {
            answer(ctx, node.sync().delete(path).get(60, TimeUnit.SECONDS));
        } catch (NoSuchFileException e) {
            throw new ApiError(404, "not found", "not committed: " + path);
        }
    }

    private void answer(Context ctx, Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", r.status().name().toLowerCase());
        m.put("path", r.path());
        m.put("version", r.version());
        if (r.detail() != null) m.put("detail", r.detail());
        ctx.status(r.status() == Result.Status.REJECTED ? 409 : 200).json(m);
    }

    private void conflicts(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : node.index().conflicts()) out.add(describe(e.getKey(), e.getValue()));
        ctx.json(out);
    }

    private void blob(Context ctx) throws IOException {
        String sha = ctx.pathParam("sha");
        if (!BlobStore.isHash(sha)) throw new ApiError(400, "bad request", "not a sha256 hash");
        if (!node.blobs().has(sha)) throw new ApiError(404, "not found", "no such chunk here");
        ctx.contentType("application/octet-stream").result(node.blobs().read(sha));
    }

    private void registerMetrics() {
        new JvmMemoryMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        Gauge.builder("pickbox_files", node.index(), i -> i.size()).register(metrics);
        Gauge.builder("pickbox_bytes", node.index(), i -> i.fileBytes()).register(metrics);
        Gauge.builder("pickbox_applied_ops", node.index(), i -> i.appliedOps()).register(metrics);
        Gauge.builder("pickbox_pending_local_changes", node, n -> n.sync().pendingCount()).register(metrics);
        Gauge.builder("pickbox_conflicts", node.index(), i -> i.conflicts().size()).register(metrics);
    }

    @Override
    public void close() {
        if (app != null) app.stop();
    }
}
