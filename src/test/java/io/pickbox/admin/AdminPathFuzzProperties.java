package io.pickbox.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;
import io.pickbox.index.Entry;
import io.pickbox.index.Result;
import io.pickbox.sync.PathReport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Fuzzing of the admin API's reading routes over HTTP, as a client reaches them: a file's path in
 * the URL, and a listing's {@code prefix}, {@code after} and {@code limit}, damaged and
 * percent-encoded. Every request is answered below 500 and leaves the upload directory empty.
 */
@AddLifecycleHook(FuzzTries.class)
class AdminPathFuzzProperties {

    private static final Map<String, Entry> COMMITTED = new TreeMap<>(Map.of(
            "docs", Entry.dir(1, 0755, 5, "n1"),
            "docs/a.txt", new Entry(Entry.Kind.FILE, 2, 3, "ab", List.of("ab"), 0644, 5, "n1", null)));

    private Path uploads;
    private int port;
    private AdminServer server;

    @BeforeProperty
    void serve() throws IOException {
        uploads = Files.createTempDirectory("admin-fuzz-uploads");
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server = new AdminServer(new AdminSettings("127.0.0.1", port, List.of(), null, uploads), unused(ClusterView.class),
                null /* membership changes: no route fuzzed here reaches them */, unused(TrustActions.class), unused(LocalState.class), new CommittedFiles(),
                unused(HistoryService.class),
                path -> new PathReport("absent", "not on disk", null, false), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        server.start();
    }

    @AfterProperty
    void stop() {
        if (server != null) server.close();
        Trees.delete(uploads);
    }

    /** The routes fuzzed here never reach these. */
    private static <T> T unused(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    /** Two committed entries, listed as the index lists them. */
    private static final class CommittedFiles implements FileService {
        private static List<Map.Entry<String, Entry>> after(String prefix, String after, int limit) {
            return COMMITTED.entrySet().stream()
                    .filter(e -> prefix.isEmpty() || e.getKey().equals(prefix) || e.getKey().startsWith(prefix + "/"))
                    .filter(e -> after == null || e.getKey().compareTo(after) > 0).limit(limit).toList();
        }

        @Override
        public List<Map.Entry<String, Entry>> page(String prefix, String after, int limit) {
            return after(prefix, after, limit);
        }

        @Override
        public List<Map.Entry<String, Entry>> children(String dir, String after, int limit) {
            return after(dir, after, limit).stream().filter(e -> !e.getKey().equals(dir)).toList();
        }

        @Override
        public List<Map.Entry<String, Entry>> conflicts(String prefix, String after, int limit) {
            return List.of();
        }

        @Override
        public Entry get(String path) {
            return COMMITTED.get(path);
        }

        @Override
        public String missingChunk(String path, Entry committed) {
            return null;
        }

        @Override
        public InputStream content(String path, Entry committed) {
            return new ByteArrayInputStream(new byte[(int) committed.size()]);
        }

        @Override
        public CompletableFuture<Result> put(String path, Path file) {
            throw new UnsupportedOperationException("put");
        }

        @Override
        public CompletableFuture<Result> delete(String path) {
            throw new UnsupportedOperationException("delete");
        }
    }

    private static Arbitrary<String> paths() {
        Arbitrary<byte[]> utf8 = Mutations.of(Arbitraries.of("docs", "docs/a.txt", "é/ü.txt", "../etc/passwd", ".pickbox/x")
                .map(p -> p.getBytes(StandardCharsets.UTF_8)));
        return Arbitraries.oneOf(utf8.map(AdminPathFuzzProperties::percentEncoded),
                Mutations.ofText(Arbitraries.of("docs%2Fa.txt", "%2e%2e/x", "%C3%28", "a%00b")).map(t -> percentEncoded(t.getBytes(StandardCharsets.UTF_8))));
    }

    @Provide
    Arbitrary<String> targets() {
        Arbitrary<String> limits = Mutations.ofText(Arbitraries.of("1", "10000", "-1", "99999999999")).map(t -> percentEncoded(t.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<String> file = Combinators.combine(paths(), Arbitraries.of("", "?content"))
                .as((p, q) -> "/v1/files/" + p + q);
        Arbitrary<String> listing = Combinators.combine(Arbitraries.of("/v1/files", "/v1/conflicts", "/v1/files"), paths(), paths(), limits,
                Arbitraries.of("", "&children")).as((route, prefix, after, limit, children) ->
                        route + "?prefix=" + prefix + "&after=" + after + "&limit=" + limit + children);
        return Arbitraries.oneOf(file, listing);
    }

    @Property(tries = 400)
    void aReadIsAnsweredBelow500AndUploadsNothing(@ForAll("targets") String target) throws IOException {
        int status = get(target);
        Outcomes.count("GET " + status);
        assertThat(status).as("status of GET %s", target).isBetween(200, 499);
        try (var left = Files.list(uploads)) {
            assertThat(left).isEmpty();
        }
    }

    private int get(String target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            in.readAllBytes();
            assertThat(statusLine).as("the answer to GET %s", target).startsWith("HTTP/1.1 ");
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** Bytes as they may stand in a request target: printable ASCII as it is (but the delimiters), the rest percent-encoded. */
    private static String percentEncoded(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '#' && c != '&' && c != '%' && c != '+' && c != '?') out.append((char) c);
            else out.append('%').append(String.format("%02X", c));
        }
        return out.toString();
    }
}
