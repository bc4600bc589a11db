package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One admin API call that keeps the status code and the JSON body, error answers included. */
final class ApiCall {

    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The error answer as one line: "HTTP 404 not found: detail". */
        String problem() {
            return "HTTP " + status + " " + body.path("error").asText("error") + ": " + body.path("detail").asText("");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiCall(String address, String token) {
        if (address == null || !address.matches("[^:/\\s]+:\\d{1,5}")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Main()),
                    "--admin must be HOST:PORT, got " + address);
        }
        this.base = "http://" + address;
        this.token = token;
    }

    Answer get(String pathAndQuery) throws IOException {
        return send(request(pathAndQuery).GET());
    }

    Answer delete(String path) throws IOException {
        return send(request(path).DELETE());
    }

    Answer post(String path, Object body) throws IOException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** Like {@link #get} but an error answer is an exception (exit code 1). */
    JsonNode require(Answer a) throws IOException {
        if (!a.ok()) throw new IOException(a.problem());
        return a.body();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofMinutes(3));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private Answer send(HttpRequest.Builder r) throws IOException {
        HttpResponse<String> resp;
        try {
            resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the node's admin API at " + base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        JsonNode body;
        try {
            body = resp.body() == null || resp.body().isBlank() ? NullNode.getInstance() : JSON.readTree(resp.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", "unexpected answer").put("detail", resp.body());
        }
        return new Answer(resp.statusCode(), body);
    }
}
