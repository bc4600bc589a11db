package io.pickbox.trust;

import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.Provider;

/**
 * Conscrypt's provider (BoringSSL), made once and never registered as a security provider: only the contexts that ask
 * for it use it. Null where its native library does not load (a platform its jar has none for).
 */
final class NativeTls {

    private static final Logger log = LoggerFactory.getLogger(NativeTls.class);
    private static final Provider PROVIDER = load();

    private NativeTls() {
    }

    static Provider provider() {
        return PROVIDER;
    }

    private static Provider load() {
        try {
            if (Conscrypt.isAvailable()) return Conscrypt.newProvider();
            log.info("native TLS is not available on this platform; using the Java runtime's TLS, which is slower");
        } catch (LinkageError | RuntimeException e) {
            log.info("native TLS did not load ({}); using the Java runtime's TLS, which is slower", e.toString());
        }
        return null;
    }
}
