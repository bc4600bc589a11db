package io.pickbox.folder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DirectIoTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static ByteBuffer fill(ByteBuffer b, int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return b.clear().put(data).flip();
    }

    @Test
    void aFullChunkIsWrittenAndReadBackPastThePageCache() throws IOException {
        assumeDiskFileSystem();
        DirectIo io = new DirectIo(dir, MIB);
        ByteBuffer out = fill(io.newBuffer(), MIB, 1);
        assertThat(io.suits(out, 0, MIB)).as("an aligned buffer of a full chunk suits direct I/O").isTrue();
        Path file = dir.resolve("chunk");
        assertThat(io.writeNew(file, out)).as("written with O_DIRECT").isTrue();
        assertThat(out.remaining()).as("the caller's buffer is left as it was").isEqualTo(MIB);
        assertThat(Files.readAllBytes(file)).isEqualTo(copy(out));

        ByteBuffer in = io.newBuffer();
        assertThat(io.readAll(file, MIB, in)).isTrue();
        assertThat(copy(in)).isEqualTo(copy(out));
    }

    @Test
    void whatDoesNotSuitDirectIoIsLeftToTheCaller() throws IOException {
        DirectIo io = new DirectIo(dir, MIB);
        ByteBuffer odd = fill(io.newBuffer(), 5_000, 2);
        assertThat(io.suits(odd, 0, odd.remaining())).isFalse();
        assertThat(io.writeNew(dir.resolve("odd"), odd)).isFalse();
        assertThat(dir.resolve("odd")).doesNotExist();

        ByteBuffer heap = ByteBuffer.allocate(MIB);
        assertThat(io.suits(heap, 0, MIB)).as("a heap buffer").isFalse();
        ByteBuffer aligned = io.newBuffer();
        assertThat(io.suits(aligned, 100, 4096)).as("an unaligned file offset").isFalse();
        assertThat(io.suits(aligned, 0, 2L * MIB)).as("more than the buffer holds").isFalse();
        assertThat(io.readAll(dir.resolve("odd"), 5_000, aligned)).isFalse();
    }

    @Test
    void pooledBuffersAreLentUpToALimit() {
        DirectIo io = new DirectIo(dir, MIB);
        java.util.List<ByteBuffer> lent = new java.util.ArrayList<>();
        for (ByteBuffer b; (b = io.borrow()) != null; ) lent.add(b);
        assertThat(lent).hasSize(4).allSatisfy(b -> {
            assertThat(b.isDirect()).isTrue();
            assertThat(b.remaining()).isEqualTo(MIB);
        });
        io.release(lent.remove(0).position(10));
        ByteBuffer again = io.borrow();
        assertThat(again).isNotNull();
        assertThat(again.position()).as("cleared when lent again").isZero();
        assertThat(io.borrow()).isNull();
    }

    @Test
    void aBorrowerWaitsForABufferToBeReleased() throws Exception {
        DirectIo io = new DirectIo(dir, MIB);
        java.util.List<ByteBuffer> lent = new java.util.ArrayList<>();
        for (ByteBuffer b; (b = io.borrow()) != null; ) lent.add(b);
        assertThat(io.borrow(50)).as("none released within the wait").isNull();

        java.util.concurrent.CompletableFuture<ByteBuffer> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return io.borrow(10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteBuffer released = lent.remove(0);
        io.release(released.position(7));
        ByteBuffer got = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(got).isSameAs(released);
        assertThat(got.position()).isZero();
        assertThat(got.remaining()).isEqualTo(MIB);
    }

    @Test
    void aFailedDirectWriteTurnsDirectIoOffSoTheRetryUsesThePageCache() throws IOException {
        assumeDiskFileSystem();
        DirectIo io = new DirectIo(dir, MIB);
        ByteBuffer data = fill(io.newBuffer(), MIB, 4);
        Path file = dir.resolve("failed");
        FileChannel ch = io.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        assertThat(ch).isNotNull();
        ch.close();
        assertThatThrownBy(() -> io.write(ch, file, data.duplicate(), 0)).isInstanceOf(IOException.class);
        assertThat(io.suits(data, 0, MIB)).as("direct I/O is off").isFalse();
        assertThat(io.writeNew(dir.resolve("next"), data)).isFalse();
        assertThat(dir.resolve("next")).doesNotExist();
        assertThat(io.open(dir.resolve("other"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)).isNull();
        assertThat(dir.resolve("other")).doesNotExist();
    }

    @Test
    void aFullDiskLeavesDirectIoOn() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()), "mounting a tmpfs works here (root)");
        try {
            DirectIo io = new DirectIo(small, MIB);
            ByteBuffer data = fill(io.newBuffer(), MIB, 5);
            assumeTrue(io.writeNew(small.resolve("first"), data), "this tmpfs takes O_DIRECT");
            IOException full = null;
            for (int i = 0; i < 4 && full == null; i++) {
                try (FileChannel ch = io.open(small.resolve("more" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    io.write(ch, small.resolve("more" + i), data.duplicate(), 0);
                } catch (IOException e) {
                    full = e;
                }
            }
            assertThat(full).as("the disk filled up").isNotNull().hasMessageContaining("No space left on device");
            assertThat(io.suits(data, 0, MIB)).as("still on: the disk was full, direct I/O worked").isTrue();
        } finally {
            run("umount", "-l", small.toString());
        }
    }

    private static boolean run(String... cmd) throws Exception {
        try {
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            proc.getInputStream().readAllBytes();
            return proc.waitFor() == 0;
        } catch (IOException notThere) {
            return false;
        }
    }

    private void assumeDiskFileSystem() throws IOException {
        assumeTrue(java.util.Set.of("ext4", "xfs", "btrfs").contains(Files.getFileStore(dir).type()),
                "a disk file system, which takes O_DIRECT");
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
