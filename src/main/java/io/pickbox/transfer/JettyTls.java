package io.pickbox.transfer;

import io.pickbox.trust.Tls13Context;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.SSLContext;

/**
 * The TLS side of a Jetty connector serving with a node's certificate: TLS 1.3 only, no host-name
 * check on clients (a client certificate is checked by the trust manager), and no SNI required
 * (peers dial addresses). Used by the peer port and by an admin API reached from other machines.
 */
public final class JettyTls {

    private JettyTls() {}

    /** The connection factories of an HTTPS connector: TLS, then HTTP. */
    public static SslConnectionFactory tls(SSLContext context, boolean needClientCertificate, HttpConnectionFactory http) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(context);
        ssl.setNeedClientAuth(needClientCertificate);
        ssl.setIncludeProtocols("TLSv1.3");
        ssl.setEndpointIdentificationAlgorithm(null);
        ssl.setSniRequired(false);
        SslConnectionFactory tls = new SslConnectionFactory(ssl, http.getProtocol());
        // BoringSSL works on native memory: with heap buffers every record was copied in and out
        // (a tenth of the receiving side's CPU for chunk pushes); the JDK's engine works on arrays.
        boolean direct = Tls13Context.isNative(context);
        tls.setDirectBuffersForDecryption(direct);
        tls.setDirectBuffersForEncryption(direct);
        return tls;
    }

    /** HTTP over TLS: requests know they came securely, and whose certificate they came with. */
    public static HttpConnectionFactory https(HttpConfiguration base) {
        HttpConfiguration https = new HttpConfiguration(base);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        return new HttpConnectionFactory(https);
    }
}
