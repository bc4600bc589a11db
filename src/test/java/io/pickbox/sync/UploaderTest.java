package io.pickbox.sync;

import com.sun.net.httpserver.HttpServer;
import io.pickbox.folder.Hashing;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.ChunkPusher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class UploaderTest {

    /**
     * Apply drops an op whose sequence is not above the last one applied from its node (it takes it
     * for a retry). Proposals built on several threads must therefore reach the cluster in the order
     * of their sequence numbers: numbering and sending happen as one step.
     */
    @Test
    void concurrentProposalsLeaveInSequenceOrder() throws Exception {
        List<Long> seen = new ArrayList<>();
        Proposer recording = (op, data) -> {
            synchronized (seen) {
                seen.add(op.origin().seq());
            }
            return CompletableFuture.completedFuture(Result.applied("x", 1));
        };
        Uploader uploader = new Uploader("n1", new Index(), recording, h -> false);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        uploader.submit(new Op.Mkdir(new Op.Origin("n1", 0), "d" + thread + "-" + i, 0755, 1), null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(4000).isSorted().doesNotHaveDuplicates();
        assertThat(seen.get(0)).isGreaterThan(0);
    }

    /**
     * A large file's chunks go straight to the peers; only a chunk a peer would not take goes through
     * Raft. Reading the file again (it was still being written) pushes nothing twice.
     */
    @Test
    void chunksArePushedToPeersAndOnlyRefusedOnesGoThroughRaft(@TempDir Path dir) throws Exception {
        byte[] content = new byte[3 * Hashing.CHUNK_SIZE + 500];
        new Random(5).nextBytes(content);
        Path file = dir.resolve("big.bin");
        Files.write(file, content);
        String refused = Hashing.sha256Hex(java.util.Arrays.copyOfRange(content, Hashing.CHUNK_SIZE, 2 * Hashing.CHUNK_SIZE));
        List<String> pushes = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpServer peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/v1/blobs/", ex -> {
            ex.getRequestBody().readAllBytes();
            String sha = ex.getRequestURI().getPath().substring("/v1/blobs/".length());
            pushes.add(sha);
            ex.sendResponseHeaders(sha.equals(refused) ? 507 : 204, -1);
            ex.close();
        });
        peer.start();
        try {
            String address = "127.0.0.1:" + peer.getAddress().getPort();
            List<String> throughRaft = java.util.Collections.synchronizedList(new ArrayList<>());
            Proposer raft = (op, data) -> {
                if (op instanceof Op.Chunk c) throughRaft.add(c.sha256());
                return CompletableFuture.completedFuture(new Result(Result.Status.NOOP, null, 0, null));
            };
            Uploader uploader = new Uploader("n1", new Index(), raft, h -> false,
                    new ChunkPusher(() -> Optional.of(List.of(address)), PeerAccess.plaintext(null)));

            // Peers take chunks only of a file they are told of.
            Uploader.Snapshot snap = uploader.read(file, "big.bin");

            assertThat(snap.sha256()).isEqualTo(Hashing.sha256Hex(content));
            assertThat(snap.chunks()).hasSize(4).contains(refused);
            assertThat(pushes).hasSize(4).containsAll(snap.chunks());
            assertThat(throughRaft).containsExactly(refused);

            pushes.clear();
            throughRaft.clear();
            assertThat(uploader.read(file, "big.bin").chunks()).isEqualTo(snap.chunks());
            assertThat(pushes).containsExactly(refused);
            assertThat(throughRaft).containsExactly(refused);
        } finally {
            peer.stop(0);
        }
    }

    /**
     * The sender reads chunks into arrays it reuses once their push is over: a reused array must
     * never be one still being sent, nor one handed to Raft (Ratis may hold on to it).
     */
    @Test
    void chunkArraysAreReusedOnlyAfterTheirPushAndNeverAfterRaft(@TempDir Path dir) throws Exception {
        java.util.concurrent.atomic.AtomicInteger mismatches = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.setExecutor(Executors.newFixedThreadPool(4));
        peer.createContext("/v1/blobs/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String sha = ex.getRequestURI().getPath().substring("/v1/blobs/".length());
            if (!Hashing.sha256Hex(body).equals(sha)) mismatches.incrementAndGet();
            // A quarter of the chunks are refused: they go through Raft.
            ex.sendResponseHeaders(sha.charAt(0) < '4' ? 507 : 204, -1);
            ex.close();
        });
        peer.start();
        try {
            String address = "127.0.0.1:" + peer.getAddress().getPort();
            java.util.Map<String, java.nio.ByteBuffer> heldByRaft = new java.util.concurrent.ConcurrentHashMap<>();
            Proposer raft = (op, data) -> {
                if (op instanceof Op.Chunk c) heldByRaft.put(c.sha256(), data);
                return CompletableFuture.completedFuture(new Result(Result.Status.NOOP, null, 0, null));
            };
            Uploader uploader = new Uploader("n1", new Index(), raft, h -> false,
                    new ChunkPusher(() -> Optional.of(List.of(address)), PeerAccess.plaintext(null)));
            for (int i = 0; i < 5; i++) {
                byte[] content = new byte[5 * Hashing.CHUNK_SIZE + 100];
                new Random(100 + i).nextBytes(content);
                Path file = dir.resolve("f" + i + ".bin");
                Files.write(file, content);
                assertThat(uploader.read(file, "f" + i + ".bin").sha256()).isEqualTo(Hashing.sha256Hex(content));
                assertThat(uploader.spareChunkArrays()).as("spare arrays kept once no read is going on").isZero();
            }
            assertThat(mismatches).as("chunks whose bytes changed while they were pushed").hasValue(0);
            assertThat(heldByRaft).isNotEmpty();
            heldByRaft.forEach((sha, data) -> {
                byte[] bytes = new byte[data.remaining()];
                data.duplicate().get(bytes);
                assertThat(Hashing.sha256Hex(bytes)).as("chunk held by Raft still holds its bytes").isEqualTo(sha);
            });
        } finally {
            peer.stop(0);
        }
    }

    @Test
    void sequencesStartAboveWhatTheClusterAlreadyApplied() throws Exception {
        Index index = new Index();
        long future = System.currentTimeMillis() * 1000 + 1_000_000_000L;
        index.apply(new Op.Mkdir(new Op.Origin("n1", future), "d", 0755, 1), 1);
        List<Long> seen = new ArrayList<>();
        Uploader uploader = new Uploader("n1", index, (op, data) -> {
            seen.add(op.origin().seq());
            return CompletableFuture.completedFuture(Result.applied("x", 1));
        }, h -> false);
        uploader.submit(new Op.Mkdir(new Op.Origin("n1", 0), "e", 0755, 1), null);
        assertThat(seen).containsExactly(future + 1);
    }
}
