package io.pickbox.admin;

import io.javalin.Javalin;
import io.pickbox.index.Entry;
import io.pickbox.index.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code PUT /v1/files}: an upload that would not fit on the disk, or whose place holds a directory
 * or is under a file, is refused before it is written; leftovers go at start.
 */
class UploadBoundsTest {

    @TempDir
    Path uploads;

    private final AtomicLong spare = new AtomicLong(1000);
    private final List<String> proposed = new ArrayList<>();
    /** What the index holds, as the routes see it. */
    private final Map<String, Entry> committed = new java.util.HashMap<>();
    private Javalin app;
    private FileRoutes routes;

    @AfterEach
    void stop() {
        if (app != null) app.stop();
    }

    private void start() {
        routes = new FileRoutes(new Proposals(), path -> null, uploads, dir -> spare.get());
        app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        routes.register(app);
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status).json(ApiError.body(e.error, e.getMessage())));
        app.start("127.0.0.1", 0);
    }

    private HttpResponse<String> put(String path, HttpRequest.BodyPublisher body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/files/" + path))
                .PUT(body).header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Path> leftUploads() throws Exception {
        try (Stream<Path> s = Files.list(uploads)) {
            return s.toList();
        }
    }

    @Test
    void anUploadThatDoesNotFitIsRefusedWith507BeforeItIsWritten() throws Exception {
        start();
        HttpResponse<String> r = put("big.bin", HttpRequest.BodyPublishers.ofByteArray(new byte[1001]));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(r.body()).startsWith("{\"error\":\"insufficient storage\"").contains("room for 1000 more bytes");
        assertThat(leftUploads()).isEmpty();
        assertThat(proposed).isEmpty();

        assertThat(put("fits.bin", HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).statusCode()).isEqualTo(200);
        assertThat(proposed).containsExactly("fits.bin");
    }

    /** Without a Content-Length the upload is stopped where it stops fitting, and nothing of it stays. */
    @Test
    void aBodyOfUnknownLengthIsStoppedWhereItStopsFitting() throws Exception {
        start();
        InputStream endless = new InputStream() {
            private int left = 1_000_000;

            @Override
            public int read() {
                return left-- > 0 ? 7 : -1;
            }
        };
        HttpResponse<String> r = put("stream.bin", HttpRequest.BodyPublishers.ofInputStream(() -> endless));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(leftUploads()).isEmpty();
        assertThat(proposed).isEmpty();
    }

    /** A file cannot replace a directory, nor go under a file: said at once, nothing received or proposed. */
    @Test
    void anUploadOntoADirectoryOrUnderAFileIsRefusedWith409() throws Exception {
        committed.put("docs", Entry.dir(1, 0755, 0, "node1"));
        committed.put("docs/a.txt", new Entry(Entry.Kind.FILE, 2, 1, "00".repeat(32), List.of(), 0644, 0, "node1", null));
        start();
        HttpResponse<String> onDir = put("docs", HttpRequest.BodyPublishers.ofByteArray(new byte[10]));
        assertThat(onDir.statusCode()).as(onDir.body()).isEqualTo(409);
        assertThat(onDir.body()).contains("docs is a directory");
        HttpResponse<String> underFile = put("docs/a.txt/b", HttpRequest.BodyPublishers.ofByteArray(new byte[10]));
        assertThat(underFile.statusCode()).as(underFile.body()).isEqualTo(409);
        assertThat(underFile.body()).contains("docs/a.txt is a file");
        assertThat(leftUploads()).isEmpty();
        assertThat(proposed).isEmpty();

        assertThat(put("docs/a.txt", HttpRequest.BodyPublishers.ofByteArray(new byte[10])).statusCode()).isEqualTo(200);
        assertThat(put("docs/new/b.txt", HttpRequest.BodyPublishers.ofByteArray(new byte[10])).statusCode()).isEqualTo(200);
        assertThat(proposed).containsExactly("docs/a.txt", "docs/new/b.txt");
    }

    @Test
    void uploadsLeftByACrashAreRemovedAtStart() throws Exception {
        Files.write(uploads.resolve("0b9c1c4e-left"), new byte[10]);
        start();
        routes.removeLeftoverUploads();
        assertThat(leftUploads()).isEmpty();
    }

    /** Proposes nothing: records what was put. */
    private final class Proposals implements FileService {
        @Override
        public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit) {
            return List.of();
        }

        @Override
        public List<Map.Entry<String, Entry>> children(String dir, String after, int limit) {
            return List.of();
        }

        @Override
        public List<Map.Entry<String, Entry>> conflicts(String prefix, String after, int limit) {
            return List.of();
        }

        @Override
        public Entry get(String path) {
            return committed.get(path);
        }

        @Override
        public String missingChunk(String path, Entry committed) {
            return null;
        }

        @Override
        public InputStream content(String path, Entry committed) {
            return InputStream.nullInputStream();
        }

        @Override
        public CompletableFuture<Result> put(String path, Path file) {
            proposed.add(path);
            return CompletableFuture.completedFuture(Result.applied(path, 1));
        }

        @Override
        public CompletableFuture<Result> delete(String path) {
            return CompletableFuture.completedFuture(Result.applied(path, 2));
        }
    }
}
