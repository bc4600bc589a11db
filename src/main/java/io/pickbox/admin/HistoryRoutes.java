package io.pickbox.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.HistoryStatus;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.RestoreReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v1/history}, {@code /v1/trash} and {@code /v1/restore}: the versions the cluster keeps of
 * each path, the paths deleted recently, and giving old versions back. Times are answered as
 * ISO-8601 in UTC with milliseconds.
 */
final class HistoryRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryRoutes.class);
    private static final int MAX_JSON = 16 * 1024;
    /** A restore of a large tree takes a few ops; a purge sweeps in bounded steps. */
    private static final long CHANGE_TIMEOUT_SECONDS = 120;
    private static final DateTimeFormatter UTC_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** A trash page's cursor: {@link HistoryVersion#cursor()}, "endedAt:version:path". */
    private static final Pattern CURSOR = Pattern.compile("(\\d{1,19}):(\\d{1,19}):(.+)", Pattern.DOTALL);

    private final HistoryService history;

    HistoryRoutes(HistoryService history) {
        this.history = history;
    }

    void register(Javalin app) {
        app.get("/v1/history", ctx -> ctx.json(status(history.status())));
        app.get("/v1/history/<path>", this::versions);
        app.post("/v1/history/settings", this::settings);
        app.post("/v1/history/purge", this::purge);
        app.get("/v1/trash", this::trash);
        app.post("/v1/restore", this::restore);
    }

    /** Every version kept of one path, newest first; the current one, if any, first of all. */
    private void versions(Context ctx) {
        String path = PathValidator.normalize(ctx.pathParam("path"));
        int limit = PageRequest.limit(ctx.queryParam("limit"));
        List<HistoryVersion> kept = history.versions(path, limit);
        if (kept.isEmpty()) {
            throw new ApiError(404, "not found", "no version of " + path + " is kept: nothing is committed there, and the history "
                    + "holds none of it (never committed there, or expired)");
        }
        List<Map<String, Object>> versions = new ArrayList<>(kept.size());
        for (HistoryVersion v : kept) versions.add(version(v));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("versions", versions);
        ctx.json(m);
    }

    private void trash(Context ctx) {
        String rawPrefix = ctx.queryParam("prefix");
        String prefix = rawPrefix == null || rawPrefix.isEmpty() ? "" : PathValidator.normalize(rawPrefix);
        String after = cursor(ctx.queryParam("after"));
        PageRequest page = new PageRequest(prefix, after, PageRequest.limit(ctx.queryParam("limit")));
        List<HistoryVersion> deleted = history.trash(prefix, after, page.limit() + 1);
        ctx.json(page.answer(deleted, HistoryVersion::cursor, HistoryRoutes::deleted));
    }

    private void restore(Context ctx) throws IOException {
        HistoryRequests.Restore r = HistoryRequests.restore(JsonBody.read(ctx, MAX_JSON));
        String what = (r.path().isEmpty() ? "the whole folder" : r.path())
                + (r.ofVersion() ? " version " + r.version() + (r.to() != null ? " to " + r.to() : "")
                : " as of " + Instant.ofEpochMilli(r.atMillis()));
        RestoreReport report = await("the restore of " + what, () -> r.ofVersion()
                ? history.restoreVersion(r.path(), r.version(), r.to())
                : history.restoreTree(r.path(), r.atMillis()));
        LOG.info("Restored {} (asked through the admin API): {}", what, report.toDetail());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("restored", report.restored());
        m.put("unchanged", report.unchanged());
        m.put("kept", report.kept());
        m.put("newer", report.newer());
        m.put("conflicts", report.conflicts());
        ctx.json(m);
    }

    private void settings(Context ctx) throws IOException {
        HistoryRequests.Settings s = HistoryRequests.settings(JsonBody.read(ctx, MAX_JSON));
        HistoryStatus after = await("the history settings", () -> history.configure(s.days(), s.maxBytes()));
        LOG.info("History settings changed through the admin API: kept {} days within {} bytes{}", after.days(), after.maxBytes(),
                after.maxBytesSetting() == 0 ? " (relative to the folder's size)" : "");
        ctx.json(status(after));
    }

    private void purge(Context ctx) throws IOException {
        long before = HistoryRequests.purgeBefore(JsonBody.read(ctx, MAX_JSON));
        HistoryStatus after = await("the purge", () -> history.purge(before));
        LOG.info("History purged of versions replaced before {} (asked through the admin API): {} versions, {} bytes left",
                Instant.ofEpochMilli(before), after.versions(), after.bytes());
        ctx.json(status(after));
    }

    /**
     * The outcome of a change, once this node has applied it: bad input (refused before it is
     * proposed, or rejected by apply) is a 400 with its message; no answer in time a 504.
     */
    private static <T> T await(String what, Supplier<CompletableFuture<T>> change) {
        try {
            return change.get().get(CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad request", e.getMessage());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) throw new ApiError(400, "bad request", cause.getMessage());
            if (cause instanceof IOException) throw new ApiError(503, "unavailable", what + " failed: " + cause.getMessage());
            throw new IllegalStateException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new ApiError(504, "timeout", what + " was proposed but not applied on this node within "
                    + CHANGE_TIMEOUT_SECONDS + " s: it may still be applied (see the event stream)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "unavailable", "interrupted while waiting for " + what);
        }
    }

    /** The {@code after} of a trash page: a {@code next} answered before, checked so that a bad one is a 400. */
    static String cursor(String raw) {
        if (raw == null || raw.isEmpty()) return null;
        Matcher m = CURSOR.matcher(raw);
        boolean ok = m.matches();
        if (ok) {
            try {
                Long.parseLong(m.group(1));
                Long.parseLong(m.group(2));
                PathValidator.normalize(m.group(3));
            } catch (NumberFormatException | InvalidPathException e) {
                ok = false;
            }
        }
        if (!ok) throw new ApiError(400, "bad request", "'after' must be the 'next' of a page answered before, got " + raw);
        return raw;
    }

    static Map<String, Object> version(HistoryVersion v) {
        Entry e = v.entry();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("current", v.current());
        m.put("committedAt", time(e.committedAt()));
        m.put("size", e.size());
        m.put("sha256", e.sha256());
        m.put("mode", String.format("%04o", e.mode()));
        m.put("kind", kind(e));
        m.put("node", e.origin());
        m.put("ending", v.ending().name().toLowerCase(Locale.ROOT));
        m.put("endedAt", time(v.endedAt()));
        m.put("endedBy", v.endedBy());
        m.put("movedTo", v.movedTo());
        return m;
    }

    static Map<String, Object> deleted(HistoryVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", v.path());
        m.put("version", v.version());
        m.put("deletedAt", time(v.endedAt()));
        m.put("node", v.endedBy());
        m.put("size", v.entry().size());
        m.put("kind", kind(v.entry()));
        return m;
    }

    static Map<String, Object> status(HistoryStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", s.enabled());
        m.put("days", s.days());
        m.put("maxBytesSetting", s.maxBytesSetting());
        m.put("maxBytes", s.maxBytes());
        m.put("bytes", s.bytes());
        m.put("versions", s.versions());
        m.put("restorableSince", time(s.restorableSince()));
        m.put("committedTime", time(s.committedTime()));
        return m;
    }

    private static String kind(Entry e) {
        return e.isDir() ? "dir" : "file";
    }

    /** ISO-8601 in UTC with milliseconds; null for 0 (not known, or not ended). */
    static String time(long millis) {
        return millis <= 0 ? null : UTC_MILLIS.format(Instant.ofEpochMilli(millis));
    }
}
