package io.pickbox.transfer.bench;

import io.pickbox.folder.AtomicFiles;
import io.pickbox.folder.Hashing;
import io.pickbox.transfer.BlobFetcher;
import io.pickbox.transfer.BlobStore;
import io.pickbox.transfer.ChunkPusher;
import io.pickbox.transfer.FolderChunks;
import io.pickbox.transfer.LocalChunks;
import io.pickbox.transfer.PeerAccess;
import io.pickbox.transfer.PeerChunkRoutes;
import io.pickbox.transfer.PeerServer;
import io.pickbox.transfer.Placement;
import io.pickbox.transfer.StagedFiles;
import io.pickbox.trust.CertificateRequest;
import io.pickbox.trust.ClusterCa;
import io.pickbox.trust.ClusterIds;
import io.pickbox.trust.NodeKeys;
import io.pickbox.trust.NodeTls;
import io.pickbox.trust.RevocationList;
import io.pickbox.trust.Role;
import io.pickbox.trust.TlsFiles;
import org.conscrypt.Conscrypt;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * CPU per MiB that moves between nodes over the peer port, with mutual TLS and in plaintext: a
 * sender pushes a large file's chunks to two peers (8 chunks in flight, as a node does), and a node
 * fetches chunks from a peer's blobs (as a catching-up node does); all in this one process on
 * loopback, so that the process's CPU time is the cost of both ends. Prints each round, then the
 * medians of the rounds after the first (the JIT's warm-up) and, for scale, what AES-256-GCM alone
 * costs to seal and open a MiB in BoringSSL (the least TLS can add).
 *
 * <pre>mvn -B -Pjmh test-compile exec:exec -Dbench.main=io.pickbox.transfer.bench.ChunkTraffic -Dbench.args="512 6"</pre>
 * (MiB per round, rounds). Its temp files go to java.io.tmpdir and are removed.
 */
public final class ChunkTraffic {

    private static final int CHUNK = Hashing.CHUNK_SIZE;
    private static final int IN_FLIGHT = 8;

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Path work = Files.createTempDirectory("chunk-traffic");
        try {
            PeerAccess tls = PeerAccess.tls(identity(work.resolve("tls")).sslContext());
            System.out.printf("%d MiB per round, %d rounds; CPU is the whole process's (sender and receivers)%n", mib, rounds);
            double[] tlsCost = run("tls", tls, work.resolve("t"), mib, rounds);
            double[] plainCost = run("plaintext", PeerAccess.plaintext(null), work.resolve("p"), mib, rounds);
            double cipher = cipherMsPerMiB(Math.max(mib, 256));
            System.out.println();
            System.out.printf("median after round 1, CPU ms per MiB delivered:  push  tls %.2f  plaintext %.2f  (+%.2f)%n",
                    tlsCost[0], plainCost[0], tlsCost[0] - plainCost[0]);
            System.out.printf("                                                 fetch tls %.2f  plaintext %.2f  (+%.2f)%n",
                    tlsCost[1], plainCost[1], tlsCost[1] - plainCost[1]);
            System.out.printf("AES-256-GCM alone (BoringSSL), seal + open, 16 KiB records: %.2f ms per MiB%n", cipher);
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
    }

    /** Rounds of pushing and fetching over {@code access}; returns the median CPU ms per MiB delivered after round 1: push, fetch. */
    private static double[] run(String name, PeerAccess access, Path dir, int mib, int rounds) throws Exception {
        List<Peer> peers = List.of(new Peer(dir.resolve("a"), access), new Peer(dir.resolve("b"), access));
        List<String> addresses = peers.stream().map(Peer::address).toList();
        List<Double> push = new ArrayList<>(), fetch = new ArrayList<>();
        try (ChunkPusher pusher = new ChunkPusher(() -> Optional.of(addresses), access)) {
            for (int round = 1; round <= rounds; round++) {
                Chunks chunks = new Chunks(mib, round);
                Measure m = Measure.start();
                pushFile(pusher, "r" + round + ".bin", chunks);
                double pushCost = m.report(name, "push ", round, 2L * mib);
                for (Peer p : peers) p.dropStaged("r" + round + ".bin");

                for (int i = 0; i < mib; i++) peers.get(0).blobs.put(chunks.sha(i), ByteBuffer.wrap(chunks.bytes(i, new byte[CHUNK])));
                Path fetched = dir.resolve("fetched-" + round);
                try (BlobStore mine = new BlobStore(fetched);
                     BlobFetcher fetcher = new BlobFetcher(mine, () -> List.of(peers.get(0).address()), access)) {
                    m = Measure.start();
                    for (CompletableFuture<Boolean> f : fetcher.ensureAll(chunks.shas(), null, null)) {
                        if (!f.join()) throw new IllegalStateException("a chunk was not fetched");
                    }
                    double fetchCost = m.report(name, "fetch", round, mib);
                    if (round > 1) {
                        push.add(pushCost);
                        fetch.add(fetchCost);
                    }
                }
                AtomicFiles.deleteRecursively(fetched);
                peers.get(0).clearBlobs();
            }
        } finally {
            for (Peer p : peers) p.close();
        }
        return new double[]{median(push), median(fetch)};
    }

    /** Pushes every chunk of one file to every peer, {@value #IN_FLIGHT} at a time. */
    private static void pushFile(ChunkPusher pusher, String path, Chunks chunks) throws InterruptedException {
        long size = (long) chunks.count() * CHUNK;
        Semaphore room = new Semaphore(IN_FLIGHT);
        java.util.concurrent.ArrayBlockingQueue<byte[]> spare = new java.util.concurrent.ArrayBlockingQueue<>(IN_FLIGHT);
        for (int k = 0; k < IN_FLIGHT; k++) spare.add(new byte[CHUNK]);
        List<CompletableFuture<Boolean>> sent = new ArrayList<>();
        for (int i = 0; i < chunks.count(); i++) {
            room.acquire();
            byte[] buf = chunks.bytes(i, spare.take());
            CompletableFuture<Boolean> f = pusher.pushToAll(chunks.sha(i), buf, new Placement(path, (long) i * CHUNK), size);
            sent.add(f.whenComplete((ok, e) -> {
                spare.add(buf);
                room.release();
            }));
        }
        for (CompletableFuture<Boolean> f : sent) {
            if (!f.join()) throw new IllegalStateException("a peer did not take a chunk");
        }
    }

    /** One receiving node's chunk port, blobs and folder. */
    private static final class Peer implements AutoCloseable {
        final Path dir;
        final BlobStore blobs;
        final StagedFiles staged;
        final PeerServer server;

        Peer(Path dir, PeerAccess access) throws IOException {
            this.dir = dir;
            Path folder = Files.createDirectories(dir.resolve("folder"));
            blobs = new BlobStore(dir.resolve("blobs"));
            staged = new StagedFiles(folder);
            server = new PeerServer("127.0.0.1", 0, access, cert -> false,
                    new PeerChunkRoutes(blobs, new LocalChunks(blobs, new FolderChunks(folder)), staged));
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.port();
        }

        void dropStaged(String path) throws IOException {
            StagedFiles.Staged s = staged.take(path);
            if (s == null) throw new IllegalStateException("nothing was staged for " + path);
            Files.delete(s.file());
        }

        void clearBlobs() throws IOException {
            blobs.collect(sha -> false, java.time.Instant.now().plusSeconds(1));
        }

        @Override
        public void close() {
            server.close();
            staged.close();
            blobs.close();
        }
    }

    /** Distinct chunks made again on demand from one random MiB (the hashes are taken beforehand, outside the timing). */
    private static final class Chunks {
        private final byte[] base = new byte[CHUNK];
        private final List<String> shas = new ArrayList<>();
        private final int round;

        Chunks(int count, int round) {
            this.round = round;
            new Random(42).nextBytes(base);
            byte[] buf = new byte[CHUNK];
            for (int i = 0; i < count; i++) shas.add(Hashing.sha256Hex(bytes(i, buf)));
        }

        byte[] bytes(int i, byte[] into) {
            System.arraycopy(base, 0, into, 0, CHUNK);
            ByteBuffer.wrap(into).putInt(round).putInt(i);
            return into;
        }

        String sha(int i) {
            return shas.get(i);
        }

        List<String> shas() {
            return shas;
        }

        int count() {
            return shas.size();
        }
    }

    private record Measure(long wallNanos, long cpuNanos) {
        static Measure start() {
            return new Measure(System.nanoTime(), cpu());
        }

        /** Prints the round and returns the CPU milliseconds per MiB delivered. */
        double report(String transport, String what, int round, long mibDelivered) {
            double wall = (System.nanoTime() - wallNanos) / 1e9;
            double cpuMs = (cpu() - cpuNanos) / 1e6;
            double perMiB = cpuMs / mibDelivered;
            System.out.printf("%-9s %s round %d: %5d MiB delivered in %5.2f s (%6.1f MB/s), CPU %6.2f s = %.2f ms per MiB%n",
                    transport, what, round, mibDelivered, wall, mibDelivered * 1.048576 / wall, cpuMs / 1000, perMiB);
            return perMiB;
        }

        private static long cpu() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }
    }

    /** What sealing and opening {@code mib} MiB in 16 KiB records with AES-256-GCM costs in BoringSSL, per MiB, once warm. */
    private static double cipherMsPerMiB(int mib) throws Exception {
        java.security.Provider boring = Conscrypt.newProvider();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        byte[] record = new byte[16 * 1024];
        byte[] sealed = new byte[record.length + 16];
        byte[] opened = new byte[record.length];
        Cipher seal = Cipher.getInstance("AES/GCM/NoPadding", boring);
        Cipher open = Cipher.getInstance("AES/GCM/NoPadding", boring);
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        double best = Double.MAX_VALUE;
        long nonce = 0;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = Measure.cpu();
            for (int r = 0; r < mib * 64; r++, nonce++) {
                byte[] iv = ByteBuffer.allocate(12).putLong(4, nonce).array();
                seal.init(Cipher.ENCRYPT_MODE, spec, new GCMParameterSpec(128, iv));
                seal.doFinal(record, 0, record.length, sealed, 0);
                open.init(Cipher.DECRYPT_MODE, spec, new GCMParameterSpec(128, iv));
                open.doFinal(sealed, 0, sealed.length, opened, 0);
            }
            best = Math.min(best, (Measure.cpu() - t0) / 1e6 / mib);
        }
        return best;
    }

    /** A throw-away cluster identity: its CA and one node's certificate, used by every end here. */
    private static NodeTls identity(Path dir) throws IOException {
        ClusterCa ca = ClusterCa.create(ClusterIds.newClusterId());
        KeyPair keys = NodeKeys.generate();
        var cert = ca.issue(CertificateRequest.create(keys, "bench", List.of("127.0.0.1")), Role.VOTER, Duration.ofDays(1));
        TlsFiles files = new TlsFiles(dir);
        files.write(keys.getPrivate(), List.of(cert, ca.certificate()), ca.certificate(), null);
        return NodeTls.load(files, RevocationList.NONE);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private ChunkTraffic() {
    }
}
