package io.pickbox.raft;

import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.ClusterCa;
import io.pickbox.trust.ClusterIds;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.Role;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node waiting to be added stops its waiting server as soon as it has its certificate, to bind
 * the Raft server on the same port; the member that delivered the certificate must still get its
 * answer, or its operator's {@code cluster add} fails although the node took the certificate.
 */
class EnrollmentWaitingTest {

    @Test
    void theDeliveringMemberGetsItsAnswerWhileTheWaitingServerCloses() throws Exception {
        KeyPair keys = NodeKeys.generate();
        X509Certificate cert = ClusterCa.create(ClusterIds.newClusterId())
                .issue(CertificateRequest.create(keys, "node4", List.of("127.0.0.1")), Role.VOTER, Duration.ofDays(1));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        CountDownLatch closing = new CountDownLatch(1);
        Thread[] closer = new Thread[1];
        Enrollment.Waiting waiting = new Enrollment.Waiting() {
            @Override
            public byte[] offer() {
                return new byte[0];
            }

            @Override
            public byte[] accept(byte[] delivery) {
                delivered.complete(null);
                // Answer only once the node is closing the server, as happens when its thread wins the race.
                await().atMost(Duration.ofSeconds(10)).until(() -> closing.getCount() == 0
                        && closer[0].getState() != Thread.State.RUNNABLE);
                return "taken".getBytes(StandardCharsets.UTF_8);
            }
        };
        AutoCloseable server = Enrollment.serveWaiting("127.0.0.1", port, keys.getPrivate(), cert, waiting);
        closer[0] = new Thread(() -> {
            try {
                delivered.get();
                closing.countDown();
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "closer");
        closer[0].start();

        byte[] answer = Enrollment.accept("127.0.0.1:" + port, new byte[0], Duration.ofSeconds(10));

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("taken");
        closer[0].join(10_000);
        assertThat(closer[0].isAlive()).isFalse();
    }
}
