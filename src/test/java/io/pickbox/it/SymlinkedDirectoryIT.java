package io.pickbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A local user replaces a synced directory by a symlink to a directory outside the folder, and
 * another node then writes, chmods and touches files under that directory: nothing outside the
 * folder is read, written, chmod'ed or touched; the node with the symlink proposes the directory's
 * deletion (never the outside content), holds the remote changes back, blocked with the symlink
 * named, and applies them once a real directory is back.
 */
class SymlinkedDirectoryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long OLD_MTIME = 1_300_000_000_000L, NEW_MTIME = 1_600_000_000_000L;

    @TempDir
    Path base;

    @Test
    void aDirectoryReplacedByASymlinkIsNeverWrittenThrough() throws Exception {
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret.txt"), "the outside secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(secret, FileTime.fromMillis(OLD_MTIME));
        Files.setLastModifiedTime(outside, FileTime.fromMillis(OLD_MTIME));
        Map<String, String> before = snapshot(outside);

        try (TestCluster cluster = TestCluster.inJvm(base.resolve("cluster"), 3)) {
            TestNode n1 = cluster.node(0), n2 = cluster.node(1), n3 = cluster.node(2);
            TestCluster.write(n1.file("d/old.txt"), "old");
            ItSupport.awaitContent(cluster.nodes(), "d/old.txt", "old", WAIT);
            cluster.awaitConverged(WAIT);

            // node2: rm -r d; ln -s outside d
            Files.delete(n2.file("d/old.txt"));
            Files.delete(n2.file("d"));
            Files.createSymbolicLink(n2.file("d"), outside);
            ItSupport.awaitGone(List.of(n1, n3), "d", WAIT);

            TestCluster.write(n1.file("d/x.txt"), "x from node1");
            TestCluster.write(n1.file("d/secret.txt"), "overwritten by node1");
            ItSupport.awaitContent(List.of(n3), "d/secret.txt", "overwritten by node1", WAIT);
            ItSupport.awaitContent(List.of(n3), "d/x.txt", "x from node1", WAIT);
            Files.setPosixFilePermissions(n1.file("d/secret.txt"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setLastModifiedTime(n1.file("d/secret.txt"), FileTime.fromMillis(NEW_MTIME));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n3.file("d/secret.txt")))).isEqualTo("rwxrwxrwx");
                assertThat(Files.getLastModifiedTime(n3.file("d/secret.txt")).toMillis()).isEqualTo(NEW_MTIME);
            });

            for (String path : List.of("d/x.txt", "d/secret.txt")) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    JsonNode sync = JSON.readTree(n2.get("/v1/files/" + path.replace("/", "%2F")).body()).path("sync");
                    assertThat(sync.path("state").asText()).as(path + " on node2: " + sync).isEqualTo("blocked");
                    assertThat(sync.path("why").asText()).as(path).contains("d is a symlink");
                });
            }
            assertThat(snapshot(outside)).as("the outside directory, byte for byte, mode and mtime").isEqualTo(before);
            for (TestNode n : cluster.nodes()) {
                assertThat(ItSupport.conflictCopies(n.dir())).as("conflict copies on " + n).isEmpty();
            }
            assertThat(Files.readString(n1.file("d/secret.txt"))).isEqualTo("overwritten by node1");

            // The symlink goes and a real directory comes back: the changes held back arrive. The
            // node may put the directory back itself first (the index holds it), before the user does.
            Files.delete(n2.file("d"));
            Files.createDirectories(n2.file("d"));
            ItSupport.awaitContent(cluster.nodes(), "d/x.txt", "x from node1", WAIT);
            ItSupport.awaitContent(cluster.nodes(), "d/secret.txt", "overwritten by node1", WAIT);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n2.file("d/secret.txt")))).isEqualTo("rwxrwxrwx");
                assertThat(Files.getLastModifiedTime(n2.file("d/secret.txt")).toMillis()).isEqualTo(NEW_MTIME);
            });
            cluster.awaitConverged(WAIT);
        }
        assertThat(snapshot(outside)).as("the outside directory, afterwards").isEqualTo(before);
    }

    /** Each entry under {@code dir}, itself included: its content (files), mode and mtime. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String content = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "(directory)";
                out.put("/" + dir.relativize(p), content + " "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) + " "
                        + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
            }
        }
        return out;
    }
}
