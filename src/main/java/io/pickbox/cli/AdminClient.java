package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CLI's client of a node's admin API. A call returns the {@link Answer}, error answers
 * included, for commands that read them; {@link Answer#orThrow} turns an error into an exception
 * (exit code 1) for those that do not.
 */
final class AdminClient {

    /** The status code and the JSON body of one answer. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The error answer as one line: "HTTP 404 not found: detail". */
        String problem() {
            return "HTTP " + status + " " + body.path("error").asText("error") + ": " + body.path("detail").asText("");
        }

        /** The body of a successful answer; an error answer is an exception. */
        JsonNode orThrow() throws IOException {
            if (!ok()) throw new IOException(problem());
            return body;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);

    private final String base;
    private final String token;
    private final HttpClient http;

    AdminClient(String address, String token) {
        this(address, token, null);
    }

    /** @param tlsCa the CA to trust over HTTPS; null for plaintext (a node's own machine) */
    AdminClient(String address, String token, Path tlsCa) {
        if (address == null || !address.matches("[^:/\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--admin must be HOST:PORT, got " + address);
        }
        this.base = (tlsCa == null ? "http://" : "https://") + address;
        this.token = token;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tlsCa != null) http.sslContext(trusting(tlsCa));
        this.http = http.build();
    }

    private static javax.net.ssl.SSLContext trusting(Path caFile) {
        try {
            var cas = io.pickbox.trust.Pem.readCertificates(Files.readString(caFile));
            if (cas.isEmpty()) throw new IllegalArgumentException("no certificate in " + caFile);
            return io.pickbox.trust.Tls13Context.create(null,
                    new io.pickbox.trust.ClusterTrustManager(cas, null, io.pickbox.trust.RevocationList.NONE));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--tls-ca: cannot read a CA certificate from " + caFile + ": " + e.getMessage());
        }
    }

    /** The API path of one path of the synced folder. */
    static String filePath(String path) {
        return "/v1/files/" + encodePath(path);
    }

    /** The API path of the history of one path of the synced folder. */
    static String historyPath(String path) {
        return "/v1/history/" + encodePath(path);
    }

    /** A query value, percent-encoded. */
    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A path of the synced folder as a URL path: each segment percent-encoded, the slashes kept. */
    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/", -1)) {
            if (sb.length() > 0) sb.append('/');
            sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    Answer get(String pathAndQuery) throws IOException {
        return answer(send(request(pathAndQuery).GET(), HttpResponse.BodyHandlers.ofString()));
    }

    Answer delete(String path) throws IOException {
        return answer(send(request(path).DELETE(), HttpResponse.BodyHandlers.ofString()));
    }

    Answer post(String path, Object body) throws IOException {
        return answer(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), HttpResponse.BodyHandlers.ofString()));
    }

    /** Uploads {@code local} as the body of a PUT to {@code path}. */
    Answer put(String path, Path local) throws IOException {
        return answer(send(request(path).header("Content-Type", "application/octet-stream").timeout(UPLOAD_TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofFile(local)), HttpResponse.BodyHandlers.ofString()));
    }

    /** The body of a successful GET as a stream (file contents); an error answer is an exception. */
    InputStream download(String pathAndQuery) throws IOException {
        HttpResponse<InputStream> resp = send(request(pathAndQuery).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() < 300) return resp.body();
        try (InputStream in = resp.body()) {
            answer(resp.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8)).orThrow();
        }
        throw new IOException("HTTP " + resp.statusCode());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(CALL_TIMEOUT);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder r, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(r.build(), handler);
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the node's admin API at " + base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static Answer answer(HttpResponse<String> resp) {
        return answer(resp.statusCode(), resp.body());
    }

    private static Answer answer(int status, String text) {
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? NullNode.getInstance() : JSON.readTree(text);
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", "unexpected answer").put("detail", text);
        }
        return new Answer(status, body);
    }
}
