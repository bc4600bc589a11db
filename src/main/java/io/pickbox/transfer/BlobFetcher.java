package io.pickbox.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Fetches chunks this node lacks (it joined from a snapshot, or a blob was collected) from
 * peers' admin ports by hash. Every fetched blob is verified against its hash before use.
 */
public final class BlobFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(BlobFetcher.class);

    private final BlobStore blobs;
    private final Supplier<List<String>> peerAdminAddresses;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public BlobFetcher(BlobStore blobs, Supplier<List<String>> peerAdminAddresses, String token) {
        this.blobs = blobs;
        this.peerAdminAddresses = peerAdminAddresses;
        this.token = token;
    }

    /** Makes sure the blob is present locally; false if no peer could supply it. */
    public boolean ensure(String sha256) {
        if (blobs.has(sha256)) return true;
        for (String peer : peerAdminAddresses.get()) {
            try {
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + peer + "/v1/blobs/" + sha256))
                        .timeout(Duration.ofSeconds(30)).GET();
                if (token != null) req.header("Authorization", "Bearer " + token);
                HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = resp.body()) {
                    if (resp.statusCode() != 200) continue;
                    blobs.put(sha256, body, 1 << 20);
                    return true;
                }
            } catch (IOException e) {
                LOG.debug("Fetching chunk {} from {} failed: {}", sha256, peer, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
