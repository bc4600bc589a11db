package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** Talks to a node's admin API for the CLI; turns error answers into clear exceptions. */
final class AdminClient {

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    AdminClient(String address, String token) {
        if (!address.matches("[^:/\\s]+:\\d{1,5}")) throw new IllegalArgumentException("--admin must be HOST:PORT, got " + address);
        this.base = "http://" + address;
        this.token = token;
    }

    static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/", -1)) {
            if (sb.length() > 0) sb.append('/');
            sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    JsonNode getJson(String pathAndQuery) throws IOException {
        return json.readTree(send(request(pathAndQuery).GET(), HttpResponse.BodyHandlers.ofString()).body());
    }

    InputStream getStream(String pathAndQuery) throws IOException {
        return send(request(pathAndQuery).GET(), HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    JsonNode putFile(String remote, Path local) throws IOException {
        HttpRequest.Builder r = request("/v1/files/" + encodePath(remote)).header("Content-Type", "application/octet-stream")
                .timeout(Duration.ofMinutes(30)).PUT(HttpRequest.BodyPublishers.ofFile(local));
        return json.readTree(send(r, HttpResponse.BodyHandlers.ofString()).body());
    }

    JsonNode delete(String remote) throws IOException {
        return json.readTree(send(request("/v1/files/" + encodePath(remote)).DELETE(), HttpResponse.BodyHandlers.ofString()).body());
    }

    JsonNode postJson(String path, Object body) throws IOException {
        HttpRequest.Builder r = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        return json.readTree(send(r, HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofMinutes(2));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder r, HttpResponse.BodyHandler<T> handler) throws IOException {
        HttpResponse<T> resp;
        try {
            resp = http.send(r.build(), handler);
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the node's admin API at " + base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (resp.statusCode() >= 400) {
            Object body = resp.body();
            String text = body instanceof InputStream in ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : String.valueOf(body);
            String detail = text;
            try {
                JsonNode err = json.readTree(text);
                detail = err.path("error").asText() + ": " + err.path("detail").asText();
            } catch (IOException ignored) {
                // not JSON: show as is
            }
            throw new IOException("HTTP " + resp.statusCode() + " " + detail);
        }
        return resp;
    }
}
