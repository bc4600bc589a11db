package io.pickbox.transfer;

import io.pickbox.trust.Tls13Context;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.KeyStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** HTTPS connectors hand BoringSSL direct buffers, and the JDK's engine heap ones. */
class JettyTlsTest {

    private static X509TrustManager anyTrust() throws Exception {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return (X509TrustManager) f.getTrustManagers()[0];
    }

    private static SslConnectionFactory connector(SSLContext context) {
        return JettyTls.tls(context, true, new HttpConnectionFactory(new HttpConfiguration()));
    }

    @Test
    void boringSslGetsDirectBuffers() throws Exception {
        SSLContext context = Tls13Context.createNative(null, anyTrust());
        assumeTrue(Tls13Context.isNative(context), "native TLS does not load on this platform");
        SslConnectionFactory tls = connector(context);
        assertThat(tls.isDirectBuffersForDecryption()).isTrue();
        assertThat(tls.isDirectBuffersForEncryption()).isTrue();
    }

    @Test
    void theJdksEngineGetsHeapBuffers() throws Exception {
        SSLContext context = Tls13Context.create(null, anyTrust());
        assertThat(Tls13Context.isNative(context)).isFalse();
        SslConnectionFactory tls = connector(context);
        assertThat(tls.isDirectBuffersForDecryption()).isFalse();
        assertThat(tls.isDirectBuffersForEncryption()).isFalse();
    }
}
