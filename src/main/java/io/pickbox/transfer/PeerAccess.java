package io.pickbox.transfer;

import javax.net.ssl.SSLContext;

/**
 * How this node reaches its peers' chunk ports, and how it lets them in: HTTPS with the node's
 * certificate on both sides (the certificate is the proof of membership), or, on a cluster run
 * with {@code --insecure}, plain HTTP with the admin token when one is set.
 *
 * @param tls   the node's TLS context; null for plaintext
 * @param token the bearer token of a plaintext cluster; null when none (never sent over TLS)
 */
public record PeerAccess(SSLContext tls, String token) {

    public static PeerAccess tls(SSLContext context) {
        return new PeerAccess(context, null);
    }

    public static PeerAccess plaintext(String token) {
        return new PeerAccess(null, token);
    }

    public boolean isTls() {
        return tls != null;
    }

    String scheme() {
        return tls != null ? "https" : "http";
    }

    @Override
    public String toString() {
        return isTls() ? "PeerAccess[tls]" : "PeerAccess[plaintext" + (token == null ? "" : ", token") + "]";
    }
}
