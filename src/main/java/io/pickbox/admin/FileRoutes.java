package io.pickbox.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Entry;
import io.pickbox.index.Result;
import io.pickbox.sync.PathReport;
import io.pickbox.transfer.FreeSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code /v1/files} and {@code /v1/conflicts}: the committed files, their bytes, and changes to them. */
final class FileRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(FileRoutes.class);
    static final long MAX_UPLOAD = 64L << 30;

    private final FileService files;
    private final PathExplainer explainer;
    private final Path uploadDir;
    private final FreeSpace space;

    FileRoutes(FileService files, PathExplainer explainer, Path uploadDir, FreeSpace space) {
        this.files = files;
        this.explainer = explainer;
        this.uploadDir = uploadDir;
        this.space = space;
    }

    /** Uploads a crash interrupted: never proposed, or proposed and committed with their own copy. */
    void removeLeftoverUploads() {
        if (!Files.isDirectory(uploadDir)) return;
        try (Stream<Path> left = Files.list(uploadDir)) {
            for (Path p : (Iterable<Path>) left::iterator) {
                Files.deleteIfExists(p);
                LOG.info("Removed an upload left by a crash: {}", p.getFileName());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("Could not remove uploads left in {}: {}", uploadDir, e.toString());
        }
    }

    void register(Javalin app) {
        app.get("/v1/files", this::list);
        app.get("/v1/files/<path>", this::get);
        app.put("/v1/files/<path>", this::put);
        app.delete("/v1/files/<path>", this::delete);
        app.get("/v1/conflicts", this::conflicts);
    }

    /** A page of the committed tree; with {@code ?children}, of the entries directly in {@code prefix} only. */
    private void list(Context ctx) {
        PageRequest page = PageRequest.of(ctx);
        List<Map.Entry<String, Entry>> entries = ctx.queryParamMap().containsKey("children")
                ? files.children(page.prefix(), page.after(), page.limit() + 1)
                : files.page(page.prefix(), page.after(), page.limit() + 1);
        ctx.json(page.answer(entries, Map.Entry::getKey, e -> describe(e.getKey(), e.getValue())));
    }

    private void conflicts(Context ctx) {
        PageRequest page = PageRequest.of(ctx);
        List<Map.Entry<String, Entry>> entries = files.conflicts(page.prefix(), page.after(), page.limit() + 1);
        ctx.json(page.answer(entries, Map.Entry::getKey, e -> describe(e.getKey(), e.getValue())));
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

    private static String pathParam(Context ctx) {
        return PathValidator.normalize(ctx.pathParam("path"));
    }

    /** The committed entry and this node's state for it; with {@code ?content}, its bytes. */
    private void get(Context ctx) {
        String path = pathParam(ctx);
        Entry e = files.get(path);
        if (e == null) {
            Map<String, Object> m = new LinkedHashMap<>(ApiError.body("not found", "not committed: " + path));
            m.put("path", path);
            PathReport why = explainer.explain(path);
            m.put("onDisk", why.onDisk());
            if (why.onDisk()) m.put("sync", why.toJson());
            ctx.status(404).json(m);
            return;
        }
        if (ctx.queryParamMap().containsKey("content")) {
            if (e.isDir()) throw new ApiError(400, "bad request", path + " is a directory");
            String missing = files.missingChunk(path, e);
            if (missing != null) throw new ApiError(503, "unavailable", "chunk not on this node yet: " + missing);
            ctx.contentType("application/octet-stream").header("Content-Length", String.valueOf(e.size()))
                    .result(files.content(path, e));
            return;
        }
        Map<String, Object> m = describe(path, e);
        m.put("sync", explainer.explain(path).toJson());
        ctx.json(m);
    }

    private void put(Context ctx) throws Exception {
        String path = pathParam(ctx);
        if (!"application/octet-stream".equals(ctx.contentType() == null ? null : ctx.contentType().split(";")[0].trim())) {
            throw new ApiError(415, "unsupported media type", "file bytes must be sent as application/octet-stream");
        }
        refuseMisplaced(path);
        Path dir = Files.createDirectories(uploadDir);
        long declared = ctx.contentLength();
        if (declared > MAX_UPLOAD) throw tooLarge();
        long room = space.spare(dir);
        if (declared > room) throw noRoom(declared, room);
        Path tmp = dir.resolve(UUID.randomUUID().toString());
        try {
            try (InputStream in = ctx.bodyInputStream()) {
                // A body sent without its length is stopped where it stops fitting.
                InputStream bounded = new LimitedInputStream(new LimitedInputStream(in, MAX_UPLOAD, FileRoutes::tooLarge),
                        Math.max(0, room), () -> noRoom(-1, room));
                long n = Files.copy(bounded, tmp, StandardCopyOption.REPLACE_EXISTING);
                LOG.debug("Received {} bytes for {}", n, path);
            }
            answer(ctx, files.put(path, tmp).get(120, TimeUnit.SECONDS));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A file put where a directory is committed, or under a committed file, would be kept as a
     * conflict copy under another name: asked for by hand, it is refused instead, before its bytes
     * are received. (One that lands there meanwhile still ends as apply decides.)
     */
    private void refuseMisplaced(String path) {
        Entry there = files.get(path);
        if (there != null && there.isDir()) {
            throw new ApiError(409, "conflict", path + " is a directory: a file cannot replace it");
        }
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            Entry parent = files.get(path.substring(0, i));
            if (parent == null) return; // made as the file is
            if (parent.isFile()) {
                throw new ApiError(409, "conflict", path.substring(0, i) + " is a file: nothing can be put under it");
            }
        }
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "payload too large", "an upload holds " + MAX_UPLOAD + " bytes at most");
    }

    private static ApiError noRoom(long size, long room) {
        return new ApiError(507, "insufficient storage", "the node's disk has room for " + Math.max(0, room)
                + " more bytes (a margin kept free)" + (size >= 0 ? ", not " + size : ": the upload does not fit"));
    }

    private void delete(Context ctx) throws Exception {
        String path = pathParam(ctx);
        try {
            answer(ctx, files.delete(path).get(60, TimeUnit.SECONDS));
        } catch (NoSuchFileException e) {
            throw new ApiError(404, "not found", "not committed: " + path);
        }
    }

    private static void answer(Context ctx, Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", r.status().name().toLowerCase());
        m.put("path", r.path());
        m.put("version", r.version());
        if (r.detail() != null) m.put("detail", r.detail());
        ctx.status(r.status() == Result.Status.REJECTED ? 409 : 200).json(m);
    }
}
