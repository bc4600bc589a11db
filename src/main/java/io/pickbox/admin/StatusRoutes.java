package io.pickbox.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pickbox.raft.RaftStatus;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code /v1/status}, {@code /v1/health} and {@code /v1/ready}: how this node and its cluster are doing. */
final class StatusRoutes {

    /**
     * Blocked paths and problems shown in one status answer (the counts say how many there are):
     * status is polled every second by the dashboard and {@code cluster status --watch}, and a
     * screenful says what is wrong; {@code pickbox why PATH} explains any one of them.
     */
    static final int PATHS_IN_STATUS = 100;

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m)?");

    private final ClusterView cluster;
    private final LocalState local;
    private final LastError lastError;
    private final TrustActions trust;

    StatusRoutes(ClusterView cluster, LocalState local, TrustActions trust, LastError lastError) {
        this.cluster = cluster;
        this.local = local;
        this.trust = trust;
        this.lastError = lastError;
    }

    void register(Javalin app) {
        app.get("/v1/status", ctx -> ctx.json(status()));
        app.get("/v1/health", this::health);
        app.get("/v1/ready", this::ready);
    }

    Map<String, Object> status() throws IOException {
        RaftStatus raft = cluster.status();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", raft.nodeId());
        s.put("role", raft.role());
        s.put("leader", raft.leader());
        s.put("term", raft.term());
        s.put("commitIndex", raft.commitIndex());
        s.put("appliedIndex", raft.appliedIndex());
        s.put("applyLag", raft.applyLag());
        s.put("members", members(raft, local.peerAddresses(), trust.certificateExpiry()));
        s.put("files", local.files());
        s.put("bytes", local.fileBytes());
        s.put("appliedOps", local.appliedOps());
        s.put("pending", local.pending());
        s.put("transfers", local.transfers());
        s.put("catchUp", local.catchUp());
        s.put("conflicts", local.conflicts());
        Map<String, ?> blocked = local.blocked();
        s.put("blocked", first(blocked, PATHS_IN_STATUS));
        s.put("blockedCount", blocked.size());
        Map<String, String> problems = local.problems();
        s.put("problems", first(problems, PATHS_IN_STATUS));
        s.put("problemsCount", problems.size());
        var stalls = local.stalls();
        s.put("waitingForSpace", Map.of("paths", stalls.pathsWaitingForSpace(), "bytes", stalls.bytesWaitingForSpace()));
        s.put("permissionDenied", stalls.pathsPermissionDenied());
        s.put("massChanges", local.massChanges());
        s.put("notReplicated", local.notReplicated());
        String err = lastError.get();
        if (!problems.isEmpty()) {
            var first = problems.entrySet().iterator().next();
            err = first.getKey() + ": " + first.getValue();
        }
        if (raft.failure() != null) {
            s.put("raftFailure", raft.failure());
            err = raft.failure();
        }
        s.put("lastError", err);
        s.put("healthy", raft.healthy());
        return s;
    }

    /** The first {@code n} entries of {@code all}, in its order. */
    static <V> Map<String, V> first(Map<String, V> all, int n) {
        Map<String, V> out = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            if (out.size() >= n) break;
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static List<Map<String, Object>> members(RaftStatus raft, Map<String, String> peers, Map<String, Instant> certificates) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (RaftStatus.Member member : raft.members()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", member.id());
            m.put("address", member.address());
            m.put("peer", peers.get(member.id()));
            Instant expires = certificates.get(member.id());
            if (expires != null) m.put("certificateExpires", expires.toString());
            m.put("role", member.role());
            m.put("voting", member.voting());
            m.put("self", member.self());
            m.put("reachable", member.reachable());
            if (member.lastContactMs() != null) m.put("lastContactMs", member.lastContactMs());
            m.put("commitIndex", member.commitIndex());
            m.put("matchIndex", member.matchIndex());
            m.put("lag", member.lag());
            members.add(m);
        }
        return members;
    }

    private void health(Context ctx) throws IOException {
        RaftStatus raft = cluster.status();
        if (raft.healthy()) {
            ctx.json(Map.of("healthy", true));
        } else {
            ctx.status(503).json(Map.of("healthy", false, "reason", raft.unhealthyReason()));
        }
    }

    private boolean isReady() throws IOException {
        RaftStatus raft = cluster.status();
        return raft.leader() != null && raft.appliedIndex() >= raft.commitIndex() && local.pending() == 0;
    }

    /** {@code ?wait=5s} waits up to that long for the node to become ready. */
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
        Matcher m = DURATION.matcher(s.trim());
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
}
