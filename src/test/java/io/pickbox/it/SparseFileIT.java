package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A sparse file (a disk image, a database's preallocated file) stays sparse on every node: its
 * runs of zeros are neither sent nor written, so it takes on each node the space its data takes,
 * not its size.
 */
class SparseFileIT {

    private static final Duration T = Duration.ofSeconds(90);
    private static final int MIB = 1 << 20;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aSparseFileTakesOnEveryNodeTheSpaceOfItsData() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 3)) {
            TestNode n1 = cluster.node(0);
            // 256 MiB, of which 2 MiB of data: 1 MiB at 64 MiB, 1 MiB at its end.
            byte[] data = new byte[MIB];
            new Random(7).nextBytes(data);
            Path staging = Files.createDirectories(base.resolve("outside")).resolve("disk.img");
            try (RandomAccessFile f = new RandomAccessFile(staging.toFile(), "rw")) {
                f.setLength(256L * MIB);
                f.seek(64L * MIB);
                f.write(data);
                f.seek(255L * MIB);
                f.write(data);
            }
            assumeTrue(allocated(staging) < 8L * MIB, "this file system keeps holes");
            String sha = ItSupport.sha256(staging);
            Files.move(staging, n1.file("disk.img"));

            for (TestNode n : cluster.nodes()) {
                await().atMost(T).until(() -> Files.exists(n.file("disk.img")) && Files.size(n.file("disk.img")) == 256L * MIB
                        && sha.equals(ItSupport.sha256(n.file("disk.img"))));
                assertThat(allocated(n.file("disk.img"))).as("space disk.img takes on " + n).isLessThan(8L * MIB);
            }
        }
    }

    /** st_blocks x 512: the space the file takes on disk. */
    private static long allocated(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out) * 512;
    }
}
