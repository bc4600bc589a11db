package io.pickbox.raft;

import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;

import io.pickbox.trust.PeerIdentity;
import org.apache.ratis.thirdparty.io.grpc.Context;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one call a node makes before it has a certificate: "here is my invite and my certificate
 * request; admit me". It travels on the Raft port, over TLS where the joining node trusts the
 * server only through the CA fingerprint its token carries; every other call on that port needs a
 * member's certificate ({@link MemberAuthentication}). Requests and replies are small JSON
 * documents, which the node package reads and writes.
 */
public final class Enrollment {

    static final String SERVICE = "pickbox.Enrollment";
    /** Request and reply bytes at most: a certificate request or a certificate chain is a few KB. */
    private static final int MAX_MESSAGE = 64 * 1024;

    static final MethodDescriptor<byte[], byte[]> JOIN = method("Join");
    /** A member's renewal of its own certificate: needs that member's (still valid) certificate. */
    static final MethodDescriptor<byte[], byte[]> RENEW = method("Renew");
    /** A learner's request to be added as a listener: a voter makes that change, as a learner may not. */
    static final MethodDescriptor<byte[], byte[]> LISTEN = method("Listen");

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes())
                .build();
    }

    private Enrollment() {}

    /** What a member does with a join or renewal request. */
    public interface Handler {
        /** The reply to {@code request}, from the node at {@code remote}. @throws Refused to refuse it with a reason */
        byte[] join(byte[] request, String remote) throws Refused;

        /** The reply to a renewal request from {@code member}, as its certificate names it. */
        byte[] renew(byte[] request, PeerIdentity member) throws Refused;

        /** Adds {@code member}, a learner, as a listener at the Raft address the request names. */
        byte[] listen(byte[] request, PeerIdentity member) throws Refused;
    }

    /** A join refused, with the reason the joining node shows its operator. */
    public static final class Refused extends IOException {
        public Refused(String reason) {
            super(reason);
        }
    }

    /** The service a member serves on its Raft port; requests run on {@code executor} (they wait for a commit). */
    static ServerServiceDefinition service(Handler handler, ExecutorService executor) {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(JOIN, call(executor, request -> handler.join(request, MemberAuthentication.remote())))
                .addMethod(RENEW, call(executor, request -> handler.renew(request, MemberAuthentication.member())))
                .addMethod(LISTEN, call(executor, request -> handler.listen(request, MemberAuthentication.member())))
                .build();
    }

    /** Offer: "this is who I am and the certificate I ask for"; Accept: "here is your certificate and cluster". */
    static final MethodDescriptor<byte[], byte[]> OFFER = method("Offer");
    static final MethodDescriptor<byte[], byte[]> ACCEPT = method("Accept");

    /** What a node waiting to be added answers the member that adds it. */
    public interface Waiting {
        /** This node's id and certificate request. */
        byte[] offer();

        /** Takes the certificate and cluster the member sends. @throws Refused when they are not for this node */
        byte[] accept(byte[] delivery) throws Refused;
    }

    /**
     * Serves {@code waiting} on the Raft port of a node started with --wait-to-be-added until it is
     * closed. The node has no certificate of the cluster yet: it presents a throw-away one, and the
     * member that calls trusts the address its operator typed in {@code cluster add}, as that
     * operator vouches for it.
     */
    public static AutoCloseable serveWaiting(String host, int port, java.security.PrivateKey key,
                                             java.security.cert.X509Certificate cert, Waiting waiting) throws IOException {
        var service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(OFFER, ServerCalls.asyncUnaryCall((request, reply) -> {
                    reply.onNext(waiting.offer());
                    reply.onCompleted();
                }))
                .addMethod(ACCEPT, ServerCalls.asyncUnaryCall((request, reply) -> {
                    try {
                        reply.onNext(waiting.accept(request));
                        reply.onCompleted();
                    } catch (Refused e) {
                        reply.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
                    }
                }))
                .build();
        try {
            var server = org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder
                    .forAddress(new java.net.InetSocketAddress(host, port))
                    .sslContext(GrpcSslContexts.configure(org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContextBuilder.forServer(key, cert))
                            .protocols("TLSv1.3").build())
                    .maxInboundMessageSize(MAX_MESSAGE).addService(service).build().start();
            return () -> {
                // Graceful first: the call that delivered the certificate is still answering its member.
                server.shutdown();
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                    server.awaitTermination(5, TimeUnit.SECONDS);
                }
            };
        } catch (IOException e) {
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The offer of the node waiting at {@code address}; its certificate is not checked (see {@link #serveWaiting}). */
    public static byte[] offer(String address, Duration timeout) throws IOException {
        try {
            return call(OFFER, address, null, trustTheTypedAddress(), new byte[0], timeout);
        } catch (IOException e) {
            if (e.getCause() instanceof StatusRuntimeException s && (s.getStatus().getCode() == Status.Code.UNAUTHENTICATED
                    || s.getStatus().getCode() == Status.Code.UNIMPLEMENTED)) {
                throw new NotWaiting(address + " runs as a member already (it has its certificate)");
            }
            throw e;
        }
    }

    /** The node at an address is not waiting for a certificate: it has one. */
    public static final class NotWaiting extends IOException {
        NotWaiting(String message) {
            super(message);
        }
    }

    /** Delivers a certificate and cluster to the node waiting at {@code address}. */
    public static byte[] accept(String address, byte[] delivery, Duration timeout) throws IOException {
        return call(ACCEPT, address, null, trustTheTypedAddress(), delivery, timeout);
    }

    private static TrustManager trustTheTypedAddress() {
        return org.apache.ratis.thirdparty.io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0];
    }

    private interface Work {
        byte[] reply(byte[] request) throws Refused;
    }

    /** A unary call answered on {@code executor}: the work waits for a commit, which must not hold a gRPC thread. */
    private static ServerCallHandler<byte[], byte[]> call(ExecutorService executor, Work work) {
        return ServerCalls.asyncUnaryCall((request, reply) -> {
            // Read on the gRPC thread, where the call's context is current.
            Context context = Context.current();
            try {
                executor.execute(context.wrap(() -> {
                    try {
                        reply.onNext(work.reply(request));
                        reply.onCompleted();
                    } catch (Refused e) {
                        reply.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
                    } catch (RuntimeException e) {
                        reply.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                    }
                }));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reply.onError(Status.UNAVAILABLE.withDescription("the member is stopping").asRuntimeException());
            }
        });
    }

    /**
     * Asks the member at {@code address} (host:port of its Raft port) to admit this node. The
     * server is trusted through {@code serverTrust} alone (the pinned CA).
     * @throws Refused when the member refused, with its reason
     * @throws IOException when it cannot be reached or its certificate is not the expected one
     */
    public static byte[] join(String address, TrustManager serverTrust, byte[] request, Duration timeout) throws IOException {
        return call(JOIN, address, null, serverTrust, request, timeout);
    }

    /** Asks the member at {@code address} to renew this node's certificate, over mutual TLS with the current one. */
    public static byte[] renew(String address, KeyManager keys, TrustManager serverTrust, byte[] request, Duration timeout)
            throws IOException {
        return call(RENEW, address, keys, serverTrust, request, timeout);
    }

    /** Asks the member at {@code address} to add this node, a learner, as a listener. */
    public static byte[] listen(String address, KeyManager keys, TrustManager serverTrust, byte[] request, Duration timeout)
            throws IOException {
        return call(LISTEN, address, keys, serverTrust, request, timeout);
    }

    private static byte[] call(MethodDescriptor<byte[], byte[]> method, String address, KeyManager keys, TrustManager serverTrust,
                               byte[] request, Duration timeout) throws IOException {
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.forClient().keyManager(keys).trustManager(serverTrust).protocols("TLSv1.3").build();
        } catch (SSLException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(address).sslContext(ssl)
                .maxInboundMessageSize(MAX_MESSAGE).build();
        try {
            return ClientCalls.blockingUnaryCall(channel, method,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), request);
        } catch (StatusRuntimeException e) {
            throw explain(address, e);
        } finally {
            channel.shutdownNow();
        }
    }

    private static IOException explain(String address, StatusRuntimeException e) {
        Status s = e.getStatus();
        if (s.getCode() == Status.Code.PERMISSION_DENIED) return new Refused(s.getDescription());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
                return new IOException("the TLS handshake with " + address + " failed: " + rootMessage(t), e);
            }
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new IOException(address + " did not answer in time (is it a Pickbox member's Raft port, with TLS on?)", e);
        }
        if (s.getCode() == Status.Code.UNIMPLEMENTED) {
            return new IOException(address + " does not admit nodes by invite (a plaintext cluster started with --insecure?)", e);
        }
        return new IOException("cannot reach " + address + ": " + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription()), e);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Messages are raw bytes: the node package gives them their JSON shape. */
    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                byte[] bytes = stream.readNBytes(MAX_MESSAGE + 1);
                if (bytes.length > MAX_MESSAGE) throw new IllegalArgumentException("enrollment message too large");
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
