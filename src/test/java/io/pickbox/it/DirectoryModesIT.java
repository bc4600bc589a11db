package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static io.pickbox.it.ItSupport.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A directory's permission bits travel as a file's do: a directory made private on one node is
 * private on every node, from its creation or after a chmod, whichever node made it. (Its owner's
 * bits stay rwx on every node: a node must write the files inside.)
 */
class DirectoryModesIT {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;

    @Test
    void aDirectoryMadePrivateAnywhereIsPrivateEverywhere() throws Exception {
        try (TestCluster cluster = TestCluster.inJvm(base, 3)) {
            TestNode n1 = cluster.node(0), n2 = cluster.node(1);

            // Made private after it was made (and after its first file was synced).
            Files.createDirectories(n1.file("notes"));
            ItSupport.write(n1.file("notes/a.txt"), "a".getBytes());
            awaitContent(cluster.nodes(), "notes/a.txt", "a", T);
            Files.setPosixFilePermissions(n1.file("notes"), PosixFilePermissions.fromString("rwx------"));
            awaitMode(cluster, "notes", "rwx------");

            // Opened to the group on another node.
            Files.setPosixFilePermissions(n2.file("notes"), PosixFilePermissions.fromString("rwxr-x---"));
            awaitMode(cluster, "notes", "rwxr-x---");

            // Made private from the start, with a tree below it.
            Files.createDirectories(n2.file("secret/deeper"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(n2.file("secret"), PosixFilePermissions.fromString("rwx------"));
            ItSupport.write(n2.file("secret/deeper/key.txt"), "k".getBytes());
            awaitContent(cluster.nodes(), "secret/deeper/key.txt", "k", T);
            awaitMode(cluster, "secret", "rwx------");
            awaitMode(cluster, "secret/deeper", "rwx------");

            // Read-only for its owner on one node: the others keep writing in it.
            Files.setPosixFilePermissions(n1.file("notes"), PosixFilePermissions.fromString("r-xr-x---"));
            ItSupport.write(n2.file("notes/b.txt"), "b".getBytes());
            awaitContent(cluster.nodes(), "notes/b.txt", "b", T);
            for (TestNode n : cluster.nodes()) {
                if (n != n1) assertThat(mode(n.file("notes"))).as("notes on " + n).isEqualTo("rwxr-x---");
            }
        }
    }

    private static void awaitMode(TestCluster cluster, String dir, String mode) {
        for (TestNode n : cluster.nodes()) {
            await().atMost(T).untilAsserted(() -> assertThat(mode(n.file(dir))).as(dir + " on " + n).isEqualTo(mode));
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
