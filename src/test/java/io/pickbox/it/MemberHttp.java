package io.pickbox.it;

import io.pickbox.trust.NodeTls;
import io.pickbox.trust.RevocationList;
import io.pickbox.trust.TlsFiles;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a node's peer port as a member makes them: HTTPS with that member's certificate. */
final class MemberHttp {

    private final HttpClient http;
    private final String base;

    /** Requests to {@code server}'s peer port, signed by {@code member}'s certificate. */
    MemberHttp(TestNode server, TestNode member) throws IOException {
        NodeTls tls = NodeTls.load(TlsFiles.in(member.config().stateDir()), RevocationList.NONE);
        this.http = HttpClient.newBuilder().sslContext(tls.sslContext()).connectTimeout(Duration.ofSeconds(2)).build();
        this.base = "https://127.0.0.1:" + server.peerPort;
    }

    HttpResponse<String> call(String method, String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> postBytes(String path, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return call("GET", path, null, null);
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
