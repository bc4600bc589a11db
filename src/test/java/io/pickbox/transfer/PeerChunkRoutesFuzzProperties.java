package io.pickbox.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.pickbox.folder.Hashing;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;
import io.pickbox.fuzz.Trees;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
 * Fuzzing of the peer chunk routes over HTTP, as a peer reaches them: the chunk's hash in the URL,
 * the {@code path} and {@code offset} of a fetch's query or a push's headers, and a batch request's
 * body, all damaged. Every request is answered below 500, and neither the folder nor the node's
 * state changes (a push here never carries the bytes of its hash, so nothing may be kept).
 */
@AddLifecycleHook(FuzzTries.class)
class PeerChunkRoutesFuzzProperties {

    private static final byte[] CONTENT = "the content of f.bin, served from the folder".getBytes(StandardCharsets.UTF_8);
    private static final String SHA = Hashing.sha256Hex(CONTENT);

    private Path root;
    private Path folder;
    private BlobStore blobs;
    private StagedFiles staged;
    private Javalin server;

    @BeforeProperty
    void serve() throws IOException {
        root = Files.createTempDirectory("peer-routes-fuzz");
        folder = Files.createDirectories(root.resolve("folder"));
        Files.write(folder.resolve("f.bin"), CONTENT);
        Files.createDirectories(folder.resolve("d"));
        Files.writeString(folder.resolve("d/x.txt"), "x");
        blobs = new BlobStore(root.resolve("state/blobs"));
        staged = new StagedFiles(folder);
        server = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        new PeerChunkRoutes(blobs, new LocalChunks(blobs, new FolderChunks(folder)), staged).register(server);
        server.start("127.0.0.1", 0);
    }

    @AfterProperty
    void stop() {
        server.stop();
        staged.close();
        blobs.close();
        Trees.delete(root);
    }

    /** A request as bytes on the wire: method, target, headers, body. */
    record Request(String method, String target, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + target + " " + headers + " body " + body.length + " bytes";
        }
    }

    private static Arbitrary<String> hashes() {
        return Mutations.ofText(Arbitraries.of(SHA, Hashing.sha256Hex(new byte[1]))).map(PeerChunkRoutesFuzzProperties::urlSafe);
    }

    /** Path values as a peer sends them: percent-encoded UTF-8, damaged before or after the encoding. */
    private static Arbitrary<String> paths() {
        Arbitrary<byte[]> utf8 = Mutations.of(Arbitraries.of("f.bin", "d/x.txt", "new/é.bin", "../f.bin", ".pickbox/x")
                .map(p -> p.getBytes(StandardCharsets.UTF_8)));
        return Arbitraries.oneOf(utf8.map(PeerChunkRoutesFuzzProperties::percentEncoded),
                Mutations.ofText(Arbitraries.of("f.bin", "d%2Fx.txt", "%2e%2e%2Ff.bin", "%C3%28")).map(PeerChunkRoutesFuzzProperties::urlSafe));
    }

    private static Arbitrary<String> offsets() {
        return Mutations.ofText(Arbitraries.of("0", "1048576", "-1", "9223372036854775807", "1099511627776", "0x10", ""))
                .map(PeerChunkRoutesFuzzProperties::urlSafe);
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<Request> fetch = Combinators.combine(hashes(), paths(), offsets(), Arbitraries.integers().between(0, 3))
                .as((sha, path, offset, which) -> new Request("GET", "/v1/blobs/" + sha + switch (which) {
                    case 0 -> "";
                    case 1 -> "?path=" + path;
                    case 2 -> "?offset=" + offset;
                    default -> "?path=" + path + "&offset=" + offset;
                }, Map.of(), new byte[0]));
        // the real chunk at a damaged offset of the file that holds it: reads the folder
        Arbitrary<Request> fetchFromFolder = offsets()
                .map(offset -> new Request("GET", "/v1/blobs/" + SHA + "?path=f.bin&offset=" + offset, Map.of(), new byte[0]));
        Arbitrary<Request> push = Combinators.combine(hashes(), paths(), offsets(), Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as((sha, path, offset, body) -> new Request("PUT", "/v1/blobs/" + sha,
                        Map.of("Content-Type", "application/octet-stream", ChunkPusher.PATH_HEADER, path, ChunkPusher.OFFSET_HEADER, offset),
                        notTheBytesOf(sha, body)));
        Arbitrary<Request> batch = Mutations.of(Arbitraries.of(List.of("f.bin"), List.of("f.bin", "d/x.txt")).map(paths -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                ChunkBatch.writeRequest(paths.stream().map(p -> new ChunkBatch.Wanted(SHA, p)).toList(),
                        new java.io.DataOutputStream(bytes));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return bytes.toByteArray();
        })).map(body -> new Request("POST", "/v1/blobs", Map.of("Content-Type", "application/octet-stream"), body));
        return Arbitraries.oneOf(fetch, fetchFromFolder, push, batch);
    }

    /** Bytes that do not hash to {@code sha}: a push of them must be refused, whatever its placement. */
    private static byte[] notTheBytesOf(String sha, byte[] body) {
        return Hashing.sha256Hex(body).equals(sha) ? new byte[] {1, 2, 3} : body;
    }

    @Property(tries = 400)
    void everyRequestIsAnsweredBelow500AndChangesNothing(@ForAll("requests") Request request) throws IOException {
        Map<String, String> folderBefore = Trees.picture(folder);
        Map<String, String> stateBefore = state();
        int status = send(request);
        Outcomes.count(request.method() + " " + status);
        assertThat(status).as("status of %s", request).isBetween(200, 499);
        assertThat(Trees.picture(folder)).isEqualTo(folderBefore);
        assertThat(state()).isEqualTo(stateBefore);
    }

    /** The node's blobs and their locations, without the store's own info log, which grows as it likes. */
    private Map<String, String> state() {
        Map<String, String> state = Trees.picture(root.resolve("state"));
        state.keySet().removeIf(name -> name.matches("(.*/)?LOG(\\.old\\..*)?"));
        return state;
    }

    private int send(Request request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(5_000);
            StringBuilder head = new StringBuilder(request.method() + " " + request.target() + " HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1\r\nConnection: close\r\nContent-Length: ").append(request.body().length).append("\r\n");
            request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(request.body());
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            in.readAllBytes();
            assertThat(statusLine).as("the answer to %s", request).startsWith("HTTP/1.1 ");
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** The text with what cannot stand in a request line or header (controls, spaces, non-ASCII) percent-encoded. */
    private static String urlSafe(String text) {
        return percentEncoded(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String percentEncoded(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '#' && c != '&' && c != '%' && c != '+') out.append((char) c);
            else out.append('%').append(String.format("%02X", c));
        }
        return out.toString();
    }
}
