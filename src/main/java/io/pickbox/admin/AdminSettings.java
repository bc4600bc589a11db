package io.pickbox.admin;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the admin API listens and who may use it.
 *
 * @param advertise the other names (DNS names or addresses) clients reach this node by, accepted
 *                  in the Host header besides the bind address and loopback
 * @param token     the bearer token every request must carry; null when none is required (loopback only)
 * @param uploadDir where uploaded file bytes wait while they are proposed
 * @param tls       the node's TLS context, served to clients when the API binds beyond loopback;
 *                  null on a node without TLS (--insecure)
 */
public record AdminSettings(String host, int port, List<String> advertise, String token, Path uploadDir, SSLContext tls) {

    /** Settings of a node without TLS. */
    public AdminSettings(String host, int port, List<String> advertise, String token, Path uploadDir) {
        this(host, port, advertise, token, uploadDir, null);
    }

    /** HTTPS is served (plaintext stays for this machine's own clients) when the API is reachable from others. */
    public boolean servesHttps() {
        return tls != null && !RequestGuard.isLoopback(host);
    }

    public AdminSettings {
        advertise = advertise == null ? List.of() : List.copyOf(advertise);
    }
}
