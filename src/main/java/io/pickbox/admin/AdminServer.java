package io.pickbox.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.Result;
import io.pickbox.node.Node;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.Placement;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final int MAX_JSON = 64 * 1024;
    private static final java.util.regex.Pattern MEMBER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("[A-Za-z0-9.\\-]{1,253}:\\d{1,5}|\\[[0-9A-Fa-f:.]{2,45}]:\\d{1,5}");
    private static final Map<String, String> WEB = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

    private final PrometheusMeterRegistry metrics;
    private final EventHub events = new EventHub();
    private volatile String lastError;
    private java.util.Set<String> allowedHosts = java.util.Set.of();
    private Javalin app;

    public AdminServer(Node node) {
        this.node = node;
        this.metrics = node.metrics() != null ? node.metrics().registry() : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        node.index().addListener(events);
    }

    public void start() {
        String host = node.config().adminHost();
        if (!isLoopback(host) && node.config().adminToken() == null) {
            throw new IllegalArgumentException("the admin port binds beyond loopback (" + host + "): --admin-token is required");
        }
        int port = node.config().adminPort();
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (String h : List.of(host, "localhost", "127.0.0.1", "[::1]")) hosts.add(h.toLowerCase(java.util.Locale.ROOT) + ":" + port);
        allowedHosts = hosts;
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        });
        app.before(this::guard);
        app.before("/v1/events", this::checkEventCursor);
        app.get("/", this::dashboard);
        app.get("/web/{name}", this::webAsset);
        app.get("/v1/status", ctx -> ctx.json(status()));
        app.get("/v1/health", this::health);
        app.get("/v1/ready", this::ready);
        app.get("/v1/files", this::listFiles);
        app.get("/v1/files/<path>", this::getFile);
        app.put("/v1/files/<path>", this::putFile);
        app.delete("/v1/files/<path>", this::deleteFile);
        app.get("/v1/conflicts", this::conflicts);
        app.get("/v1/blobs/{sha}", this::blob);
        app.put("/v1/blobs/{sha}", this::storeBlob);
        app.post("/v1/cluster/members", this::addMember);
        app.delete("/v1/cluster/members/{id}", this::removeMember);
        app.post("/v1/cluster/leader", this::transferLeader);
        app.get("/v1/events", ctx -> events.stream(ctx, ctx.attribute("since")));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(error(e.error, e.getMessage())));
        app.exception(InvalidPathException.class, (e, ctx) -> ctx.status(400).json(error("invalid path", e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("Admin request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
            lastError = ctx.method() + " " + ctx.path() + ": " + e;
            ctx.status(500).json(error("internal error", e.toString()));
        });
        app.error(404, ctx -> {
            if (!isJson(ctx)) ctx.json(error("not found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
        });
        app.error(405, ctx -> {
            if (!isJson(ctx)) ctx.json(error("method not allowed", ctx.method() + " " + ctx.path()));
        });
        app.start(host, node.config().adminPort());
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    private static Map<String, String> error(String error, String detail) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        return m;
    }

    // ---------------------------------------------------------------- safety

    /**
     * Only this machine's tools (or token holders) may use the API: the Host header must name this
     * server (no DNS rebinding), the token must match when one is set, and changes must come from no
     * other origin and with a JSON or octet-stream body (a web page's form post cannot send those).
     */
    private void guard(Context ctx) {
        String host = ctx.header("Host");
        boolean wildcard = isWildcard(node.config().adminHost());
        if (!wildcard && (host == null || !allowedHosts.contains(host.toLowerCase(java.util.Locale.ROOT)))) {
            throw new ApiError(403, "forbidden", "unexpected Host header: " + host);
        }
        String method = ctx.method().name();
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        boolean asset = read && (ctx.path().startsWith("/web/"));
        String token = node.config().adminToken();
        if (token != null && !asset && !tokenOk(ctx, token, read)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer <token>)");
        }
        if (read) return;
        String origin = ctx.header("Origin");
        if (origin != null && !(origin.startsWith("http://") && (wildcard || allowedHosts.contains(origin.substring(7).toLowerCase(java.util.Locale.ROOT))))) {
            throw new ApiError(403, "forbidden", "cross-origin requests may not change anything: " + origin);
        }
        if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            throw new ApiError(403, "forbidden", "cross-site requests may not change anything");
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        boolean hasBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
        boolean needsType = method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || hasBody;
        if (needsType && !type.equals("application/json") && !type.equals("application/octet-stream")) {
            throw new ApiError(415, "unsupported media type", "send application/json (or application/octet-stream for file bytes), not '" + type + "'");
        }
    }

    private static boolean tokenOk(Context ctx, String token, boolean read) {
        byte[] want = ("Bearer " + token).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String auth = ctx.header("Authorization");
        if (auth != null && java.security.MessageDigest.isEqual(want, auth.getBytes(java.nio.charset.StandardCharsets.UTF_8))) return true;
        // EventSource and a first page load cannot set headers: reads may carry ?token=.
        String q = read ? ctx.queryParam("token") : null;
        return q != null && java.security.MessageDigest.isEqual(token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                q.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads a small JSON object body: 413 when too large, 400 when malformed. */
    private com.fasterxml.jackson.databind.JsonNode jsonBody(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim();
        if (!type.equalsIgnoreCase("application/json")) throw new ApiError(415, "unsupported media type", "send application/json");
        if (ctx.contentLength() > MAX_JSON) throw new ApiError(413, "payload too large", "JSON bodies are limited to " + MAX_JSON + " bytes");
        byte[] body;
        try (InputStream in = new LimitedInputStream(ctx.bodyInputStream(), MAX_JSON)) {
            body = in.readAllBytes();
        }
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "malformed JSON", e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new ApiError(400, "bad request", "the body must be a JSON object");
        return n;
    }

    private static String requiredText(com.fasterxml.jackson.databind.JsonNode body, String field, java.util.regex.Pattern shape) {
        var v = body.get(field);
        if (v == null || !v.isTextual()) throw new ApiError(400, "bad request", "'" + field + "' (a string) is required");
        if (!shape.matcher(v.asText()).matches()) throw new ApiError(400, "bad request", "invalid " + field + ": " + v.asText());
        return v.asText();
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
        var info = d.getInfo();
        String leaderId = info.getLeaderId() == null ? null : info.getLeaderId().toString();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", node.config().nodeId());
        s.put("role", info.getCurrentRole().name().toLowerCase());
        s.put("leader", leaderId);
        s.put("term", info.getCurrentTerm());
        long commit = d.getRaftLog().getLastCommittedIndex();
        s.put("commitIndex", commit);
        s.put("appliedIndex", info.getLastAppliedIndex());
        s.put("applyLag", Math.max(0, commit - info.getLastAppliedIndex()));
        Map<String, Long> commits = new LinkedHashMap<>();
        for (CommitInfoProto c : d.getCommitInfos()) commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        // Leader side: per follower, time since the last answer and the match index (same order).
        Map<String, Long> elapsed = new LinkedHashMap<>();
        Map<String, Long> match = new LinkedHashMap<>();
        var role = info.getRoleInfoProto();
        if (info.isLeader() && role.hasLeaderInfo()) {
            var followers = role.getLeaderInfo().getFollowerInfoList();
            long[] matches = info.getFollowerMatchIndices();
            for (int i = 0; i < followers.size(); i++) {
                String id = followers.get(i).getId().getId().toStringUtf8();
                elapsed.put(id, followers.get(i).getLastRpcElapsedTimeMs());
                if (matches != null && matches.length == followers.size()) match.put(id, matches[i]);
            }
        } else if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo() && leaderId != null) {
            elapsed.put(leaderId, role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs());
        }
        var conf = d.getRaftConf();
        List<RaftPeer> peers = new ArrayList<>(conf.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER));
        java.util.Set<String> listeners = new java.util.HashSet<>();
        for (RaftPeer p : conf.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)) {
            peers.add(p);
            listeners.add(p.getId().toString());
        }
        peers.sort(java.util.Comparator.comparing(p -> p.getId().toString()));
        List<Map<String, Object>> members = new ArrayList<>();
        Map<String, String> admins = node.index().adminAddresses();
        String self = node.config().nodeId();
        for (RaftPeer p : peers) {
            Map<String, Object> m = new LinkedHashMap<>();
            String id = p.getId().toString();
            m.put("id", id);
            m.put("address", p.getAddress());
            m.put("admin", admins.get(id));
            m.put("role", id.equals(leaderId) ? "leader" : listeners.contains(id) ? "learner" : "follower");
            m.put("voting", !listeners.contains(id));
            m.put("self", id.equals(self));
            Boolean reachable = id.equals(self) ? Boolean.TRUE
                    : elapsed.containsKey(id) ? elapsed.get(id) < 5000 : null;
            m.put("reachable", reachable);
            if (elapsed.containsKey(id)) m.put("lastContactMs", elapsed.get(id));
            Long c = commits.get(id);
            m.put("commitIndex", c);
            Long mi = match.get(id);
            if (id.equals(self)) mi = d.getRaftLog().getFlushIndex();
            m.put("matchIndex", match.containsKey(id) || (id.equals(self) && info.isLeader()) ? mi : null);
            Long lag = match.containsKey(id) ? Long.valueOf(Math.max(0, commit - match.get(id)))
                    : id.equals(self) ? Long.valueOf(Math.max(0, commit - info.getLastAppliedIndex()))
                    : c == null ? null : Long.valueOf(Math.max(0, commit - c));
            m.put("lag", lag);
            members.add(m);
        }
        s.put("members", members);
        s.put("files", node.index().size());
        s.put("bytes", node.index().fileBytes());
        s.put("appliedOps", node.index().appliedOps());
        s.put("pending", node.sync().pendingCount());
        s.put("transfers", node.sync().transfers());
        s.put("conflicts", node.index().conflicts().size());
        s.put("blocked", node.sync().blocked());
        var problems = node.sync().problems();
        s.put("problems", problems);
        String err = lastError;
        if (!problems.isEmpty()) {
            var first = problems.entrySet().iterator().next();
            err = first.getKey() + ": " + first.getValue();
        }
        s.put("lastError", err);
        s.put("healthy", info.isAlive() && leaderId != null);
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
        if (e == null) {
            Map<String, Object> m = new LinkedHashMap<>(error("not found", "not committed: " + path));
            m.put("path", path);
            Path disk = node.config().dataDir().resolve(path);
            boolean onDisk = Files.exists(disk, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            m.put("onDisk", onDisk);
            if (onDisk) m.put("sync", syncState(path, null));
            ctx.status(404).json(m);
            return;
        }
        if (ctx.queryParamMap().containsKey("content")) {
            if (e.isDir()) throw new ApiError(400, "bad request", path + " is a directory");
            // A chunk is read from its blob, or else from this node's copy of the file, and only
            // when it matches its hash: a copy changed since then ends the response early.
            io.pickbox.folder.FileStat disk = io.pickbox.folder.FileStat.of(node.config().dataDir().resolve(path));
            boolean copyHere = disk != null && disk.kind() == io.pickbox.folder.FileStat.Kind.FILE && disk.size() == e.size();
            if (!copyHere) {
                for (String c : e.chunks()) {
                    if (!node.blobs().has(c)) throw new ApiError(503, "unavailable", "chunk not on this node yet: " + c);
                }
            }
            java.util.Iterator<InputStream> parts = java.util.stream.IntStream.range(0, e.chunks().size())
                    .mapToObj(i -> chunkStream(e.chunks().get(i), new Placement(path, (long) i * Hashing.CHUNK_SIZE))).iterator();
            Enumeration<InputStream> en = new Enumeration<>() {
                @Override
                public boolean hasMoreElements() {
                    return parts.hasNext();
                }

                @Override
                public InputStream nextElement() {
                    return parts.next();
                }
            };
            ctx.contentType("application/octet-stream").header("Content-Length", String.valueOf(e.size()))
                    .result(new SequenceInputStream(en));
            return;
        }
        Map<String, Object> m = describe(path, e);
        m.put("sync", syncState(path, e));
        ctx.json(m);
    }

    /** This node's state for one path: in sync, or pending/blocked and why. */
    private Map<String, Object> syncState(String path, Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        var blocked = node.sync().blocked().get(path);
        var problem = node.sync().problems().get(path);
        var local = node.table().get(path);
        io.pickbox.folder.FileStat disk;
        try {
            disk = io.pickbox.folder.FileStat.of(node.config().dataDir().resolve(path));
        } catch (RuntimeException ex) {
            disk = null;
        }
        String state;
        String why = null;
        if (blocked != null) {
            state = "blocked";
            why = "the cluster refused this node's change: " + blocked.reason() + " (it is retried when the file changes again)";
        } else if (problem != null) {
            state = "pending";
            why = problem;
        } else if (e == null) {
            state = "pending";
            why = disk == null ? "not on this node's disk and not committed"
                    : "on this node's disk but not committed yet (being proposed, ignored, or not stable yet)";
        } else if (local == null || local.version() != e.version()) {
            state = "pending";
            why = local == null ? "committed version " + e.version() + " not yet written to this node's folder"
                    : "this node's folder has version " + local.version() + ", committed is " + e.version() + " (being materialized)";
        } else if (e.isFile() && (disk == null || local.stat() == null || !disk.sameAs(local.stat()))) {
            state = "pending";
            why = disk == null ? "deleted on this node's disk; the delete is being proposed"
                    : "changed on this node's disk; the local edit is being proposed";
        } else {
            state = "in sync";
        }
        m.put("state", state);
        if (why != null) m.put("why", why);
        m.put("localVersion", local == null ? null : local.version());
        m.put("onDisk", disk != null);
        return m;
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

    // ---------------------------------------------------------------- cluster

    private void addMember(Context ctx) throws Exception {
        var body = jsonBody(ctx);
        String id = requiredText(body, "id", MEMBER_ID);
        String address = requiredText(body, "address", HOST_PORT);
        try {
            node.raft().addMember(id, address);
        } catch (IOException e) {
            lastError = "adding member " + id + ": " + e.getMessage();
            throw new ApiError(503, "membership change failed", e.getMessage());
        }
        ctx.json(Map.of("status", "added", "id", id, "address", address, "role", "voter"));
    }

    private void removeMember(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        if (!MEMBER_ID.matcher(id).matches()) throw new ApiError(400, "bad request", "invalid member id: " + id);
        try {
            node.raft().removeMember(id);
        } catch (io.pickbox.raft.RaftNode.UnknownMemberException e) {
            throw new ApiError(404, "not found", e.getMessage());
        } catch (IOException e) {
            lastError = "removing member " + id + ": " + e.getMessage();
            throw new ApiError(503, "membership change failed", e.getMessage());
        }
        ctx.json(Map.of("status", "removed", "id", id));
    }

    private void transferLeader(Context ctx) throws Exception {
        String id = requiredText(jsonBody(ctx), "id", MEMBER_ID);
        try {
            node.raft().transferLeadership(id, 10_000);
        } catch (io.pickbox.raft.RaftNode.UnknownMemberException e) {
            throw new ApiError(404, "not found", e.getMessage());
        } catch (IOException e) {
            lastError = "transferring leadership to " + id + ": " + e.getMessage();
            throw new ApiError(503, "leadership transfer failed", e.getMessage());
        }
        ctx.json(Map.of("status", "transferred", "leader", id));
    }

    // ---------------------------------------------------------------- events and dashboard

    /** ?since=N or Last-Event-ID: resume after that log index; validated before the stream starts. */
    private void checkEventCursor(Context ctx) {
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

    private void dashboard(Context ctx) throws IOException {
        serveResource(ctx, "index.html");
    }

    private void webAsset(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        if (!WEB.containsKey(name)) throw new ApiError(404, "not found", ctx.path());
        serveResource(ctx, name);
    }

    private void serveResource(Context ctx, String name) throws IOException {
        try (InputStream in = AdminServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new ApiError(404, "not found", "/web/" + name);
            ctx.contentType(WEB.get(name)).header("Cache-Control", "no-store")
                    .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                    .header("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
                    .result(in.readAllBytes());
        }
    }

    private void conflicts(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : node.index().conflicts()) out.add(describe(e.getKey(), e.getValue()));
        ctx.json(out);
    }

    /**
     * A chunk by its hash, for a peer: from this node's blobs, or else from the folder file the peer
     * names (query parameters {@code path} and {@code offset}, where the peer needs the chunk), read
     * there and served only when it matches the hash.
     */
    private void blob(Context ctx) throws IOException {
        String sha = ctx.pathParam("sha");
        if (!BlobStore.isHash(sha)) throw new ApiError(400, "bad request", "not a sha256 hash");
        Placement at = placement(ctx.queryParam("path"), ctx.queryParam("offset"), "path", "offset", false);
        if (node.blobs().has(sha)) {
            ctx.contentType("application/octet-stream").result(node.blobs().read(sha));
            return;
        }
        byte[] chunk = at == null ? null : node.folderChunks().read(at, sha);
        if (chunk == null) throw new ApiError(404, "not found", "no such chunk here");
        ctx.contentType("application/octet-stream").result(chunk);
    }

    /** A chunk's bytes from its blob, or else from where it sits in this node's folder; fails when neither holds it. */
    private InputStream chunkStream(String sha, Placement at) {
        try {
            if (node.blobs().has(sha)) return node.blobs().open(sha);
            byte[] chunk = node.folderChunks().read(at, sha);
            if (chunk == null) throw new IOException("chunk " + sha + " at " + at + " is no longer held here");
            return new java.io.ByteArrayInputStream(chunk);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A peer pushes a chunk of a file it is about to commit (see ChunkPusher); 204 once it is written
     * into the file assembled for its placement, or else stored as a blob.
     */
    private void storeBlob(Context ctx) throws IOException {
        String sha = ctx.pathParam("sha");
        if (!BlobStore.isHash(sha)) throw new ApiError(400, "bad request", "not a sha256 hash");
        if (!"application/octet-stream".equals(ctx.contentType() == null ? null : ctx.contentType().split(";")[0].trim())) {
            throw new ApiError(415, "unsupported media type", "chunk bytes must be sent as application/octet-stream");
        }
        if (ctx.contentLength() > Hashing.CHUNK_SIZE) {
            throw new ApiError(413, "payload too large", "a chunk holds " + Hashing.CHUNK_SIZE + " bytes at most");
        }
        Placement at = placement(ctx);
        try (InputStream in = ctx.bodyInputStream()) {
            node.blobs().put(sha, in, Hashing.CHUNK_SIZE, at == null ? null : bytes -> node.staged().write(at, sha, bytes));
        } catch (BlobStore.RejectedBlobException e) {
            if (e.tooLarge()) throw new ApiError(413, "payload too large", e.getMessage());
            throw new ApiError(400, "bad request", e.getMessage());
        }
        ctx.status(204);
    }

    /** Where a pushed chunk belongs, when the pusher said (both headers, or neither). */
    private static Placement placement(Context ctx) {
        return placement(ctx.header(ChunkPusher.PATH_HEADER), ctx.header(ChunkPusher.OFFSET_HEADER),
                ChunkPusher.PATH_HEADER, ChunkPusher.OFFSET_HEADER, true);
    }

    /** A placement from its two request values (both or neither), the path URL-encoded when {@code encoded}. */
    private static Placement placement(String path, String offset, String pathName, String offsetName, boolean encoded) {
        if (path == null && offset == null) return null;
        if (path == null || offset == null) throw new ApiError(400, "bad request", pathName + " and " + offsetName + " go together");
        try {
            return new Placement(encoded ? URLDecoder.decode(path, StandardCharsets.UTF_8) : path, Long.parseLong(offset));
        } catch (InvalidPathException e) {
            throw new ApiError(400, "bad request", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad request", "bad " + offsetName + " or " + pathName + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        events.close();
        if (app != null) app.stop();
    }
}
