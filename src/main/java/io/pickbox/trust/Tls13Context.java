package io.pickbox.trust;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;

/**
 * An SSLContext whose engines and sockets speak TLS 1.3 only. The JDK's "TLSv1.3" context still enables TLS 1.2 by
 * default, and the servers and clients built on a context (Jetty, HttpClient, Netty) start from its defaults.
 */
public final class Tls13Context {

    static final String PROTOCOL = "TLSv1.3";
    private static final String[] ONLY = {PROTOCOL};

    private Tls13Context() {
    }

    /** A TLS 1.3-only context of the JDK's; without a key manager it presents no certificate (a joining node, the CLI). */
    public static SSLContext create(KeyManager keyManagerOrNull, TrustManager trustManager) {
        return create(keyManagerOrNull, trustManager, null);
    }

    /**
     * A TLS 1.3-only context for a node's bulk traffic (chunks between peers, HTTPS): BoringSSL's TLS through Conscrypt
     * where its native library loads, else the JDK's. The JDK's AES-GCM runs as Java code until the JIT compiles it, so
     * a freshly started node moved chunks a third slower over it than in plaintext.
     */
    public static SSLContext createNative(KeyManager keyManagerOrNull, TrustManager trustManager) {
        return create(keyManagerOrNull, trustManager, NativeTls.provider());
    }

    /** Whether {@code context} runs on BoringSSL (see {@link #createNative}), which works best on direct buffers. */
    public static boolean isNative(SSLContext context) {
        Provider p = NativeTls.provider();
        return p != null && context.getProvider() != null && p.getName().equals(context.getProvider().getName());
    }

    private static SSLContext create(KeyManager keyManagerOrNull, TrustManager trustManager, Provider providerOrNull) {
        try {
            SSLContext delegate = providerOrNull == null ? SSLContext.getInstance(PROTOCOL) : SSLContext.getInstance(PROTOCOL, providerOrNull);
            delegate.init(keyManagerOrNull == null ? null : new KeyManager[] {keyManagerOrNull}, new TrustManager[] {trustManager}, new SecureRandom());
            return new SSLContext(new Spi(delegate), delegate.getProvider(), PROTOCOL) { };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no TLS 1.3", e);
        }
    }

    private static SSLParameters restrict(SSLParameters parameters) {
        parameters.setProtocols(ONLY);
        return parameters;
    }

    private static SSLEngine restrict(SSLEngine engine) {
        engine.setEnabledProtocols(ONLY);
        return engine;
    }

    private static Socket restrict(Socket socket) {
        ((SSLSocket) socket).setEnabledProtocols(ONLY);
        return socket;
    }

    private static ServerSocket restrict(ServerSocket socket) {
        ((SSLServerSocket) socket).setEnabledProtocols(ONLY);
        return socket;
    }

    private static final class Spi extends SSLContextSpi {

        private final SSLContext delegate;

        Spi(SSLContext delegate) {
            this.delegate = delegate;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
            throw new UnsupportedOperationException("this context is initialized once, with the node's key and trust managers");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new SocketFactory(delegate.getSocketFactory());
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new ServerSocketFactory(delegate.getServerSocketFactory());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return restrict(delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return restrict(delegate.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return restrict(delegate.getDefaultSSLParameters());
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return restrict(delegate.getSupportedSSLParameters());
        }
    }

    private static final class SocketFactory extends SSLSocketFactory {

        private final SSLSocketFactory delegate;

        SocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return restrict(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return restrict(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
            return restrict(delegate.createSocket(socket, consumed, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return restrict(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return restrict(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return restrict(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return restrict(delegate.createSocket(address, port, localAddress, localPort));
        }
    }

    private static final class ServerSocketFactory extends SSLServerSocketFactory {

        private final SSLServerSocketFactory delegate;

        ServerSocketFactory(SSLServerSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return restrict(delegate.createServerSocket());
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return restrict(delegate.createServerSocket(port));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return restrict(delegate.createServerSocket(port, backlog));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            return restrict(delegate.createServerSocket(port, backlog, address));
        }
    }
}
