package io.pickbox.admin;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the admin API listens and who may use it.
 *
 * @param advertise the other names (DNS names or addresses) clients reach this node by, accepted
 *                  in the Host header besides the bind address and loopback
 * @param token     the bearer token every request must carry; null when none is required (loopback only)
 * @param uploadDir where uploaded file bytes wait while they are proposed
 */
public record AdminSettings(String host, int port, List<String> advertise, String token, Path uploadDir) {

    public AdminSettings {
        advertise = advertise == null ? List.of() : List.copyOf(advertise);
    }
}
