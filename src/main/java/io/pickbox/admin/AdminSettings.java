package io.pickbox.admin;

import java.nio.file.Path;

/**
 * Where the admin API listens and who may use it.
 *
 * @param token     the bearer token every request must carry; null when none is required (loopback only)
 * @param uploadDir where uploaded file bytes wait while they are proposed
 */
public record AdminSettings(String host, int port, String token, Path uploadDir) {}
