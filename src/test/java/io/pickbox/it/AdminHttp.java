package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Raw admin API calls for contract tests: any method, headers and body; status and body kept. */
final class AdminHttp {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    private AdminHttp() {}

    static HttpResponse<String> call(String address, String method, String path, String contentType, byte[] body,
                                     String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(90));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String address, String path, String... headers) throws IOException, InterruptedException {
        return call(address, "GET", path, null, null, headers);
    }

    /** Whether anything answers HTTP at {@code address}, whatever the status. */
    static boolean answers(String address) {
        try {
            return get(address, "/v1/health").statusCode() > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static HttpResponse<String> postJson(String address, String path, String json, String... headers)
            throws IOException, InterruptedException {
        return call(address, "POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A request written by hand, for what HttpClient refuses to send (a foreign Host header, raw paths). */
    static int rawStatus(String address, String requestLineAndHeaders) throws IOException {
        String[] hp = address.split(":");
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((requestLineAndHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') line.write(c);
            String status = line.toString(StandardCharsets.ISO_8859_1).trim();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    /** Sum of the samples of metric {@code name} whose labels contain {@code labels} ("" for all); NaN if none. */
    static double metric(String scrape, String name, String labels) {
        double sum = 0;
        boolean found = false;
        for (String l : scrape.split("\n")) {
            if (l.startsWith("#")) continue;
            int cut = l.indexOf('{') >= 0 && l.indexOf('{') < l.indexOf(' ') ? l.indexOf('{') : l.indexOf(' ');
            if (cut <= 0 || !l.substring(0, cut).equals(name) || !l.contains(labels)) continue;
            sum += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            found = true;
        }
        return found ? sum : Double.NaN;
    }
}
