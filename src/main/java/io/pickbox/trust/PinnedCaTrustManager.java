package io.pickbox.trust;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * For a node that is joining and has no certificate yet: trusts a server only if the chain it presents contains the CA
 * certificate whose fingerprint the invite token carries, and its own certificate is signed by that CA and valid. There
 * is no host check: the pin names the cluster more strictly than any host name could.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private final String fingerprint;

    public PinnedCaTrustManager(String caFingerprint) {
        String normalized = caFingerprint == null ? "" : caFingerprint.strip().toLowerCase(Locale.ROOT);
        if (!FINGERPRINT.matcher(normalized).matches()) {
            throw new IllegalArgumentException("not a CA fingerprint (64 hex characters): " + caFingerprint);
        }
        this.fingerprint = normalized;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws PeerRefusedException {
        if (chain == null || chain.length == 0) {
            throw new PeerRefusedException("the server presented no certificate");
        }
        X509Certificate leaf = chain[0];
        Optional<X509Certificate> pinned = Arrays.stream(chain).filter(c -> X509.fingerprint(c).equals(fingerprint)).findFirst();
        if (pinned.isEmpty()) {
            throw new PeerRefusedException("the server's CA is not the one in the token (the server's certificate was issued by "
                    + leaf.getIssuerX500Principal() + ")");
        }
        X509Certificate ca = pinned.get();
        if (ca == leaf || ca.getBasicConstraints() < 0) {
            throw new PeerRefusedException("the server presented the certificate in the token as its own, not a node certificate");
        }
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PeerRefusedException("the server's certificate is not signed by the CA in the token");
        }
        requireValid(leaf, "the server's certificate");
        requireValid(ca, "the cluster CA's certificate");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws PeerRefusedException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws PeerRefusedException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws PeerRefusedException {
        throw new PeerRefusedException("a node that is joining accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws PeerRefusedException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws PeerRefusedException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private static void requireValid(X509Certificate certificate, String what) throws PeerRefusedException {
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new PeerRefusedException(what + " expired on " + certificate.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new PeerRefusedException(what + " is not valid before " + certificate.getNotBefore().toInstant()
                    + " (is a clock wrong?)");
        }
    }
}
