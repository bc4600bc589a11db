package io.pickbox.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.conflictCopies;
import static io.pickbox.it.ItSupport.memberCount;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node with a non-empty folder and no state: it never bootstraps a second cluster on its own,
 * and joining merges its files (identical: no-op; different: conflict copy; nothing deleted).
 */
class ExistingFolderIT {

    private static final Duration T = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static Map<String, String> textFiles(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (String rel : ItSupport.listing(dir)) {
            Path p = dir.resolve(rel);
            if (Files.isRegularFile(p) && rel.endsWith(".txt")) out.put(rel, Files.readString(p));
        }
        return out;
    }

    @Test
    void nonEmptyFolderWithoutStateRefusesToBootstrapAndMergesWhenJoining() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
        TestNode first = cluster.node(0);
        TestCluster.write(first.file("same.txt"), "identical on both sides");
        TestCluster.write(first.file("differs.txt"), "the cluster's version");
        TestCluster.write(first.file("docs/cluster-only.txt"), "only in the cluster");
        awaitContent(cluster.nodes(), "docs/cluster-only.txt", "only in the cluster", T);
        cluster.awaitConverged(T);

        // A new node whose folder already holds files.
        TestNode newcomer = cluster.newNode();
        byte[] bin = randomBytes(1_200_000, 11);
        TestCluster.write(newcomer.file("same.txt"), "identical on both sides");
        TestCluster.write(newcomer.file("differs.txt"), "the newcomer's version");
        TestCluster.write(newcomer.file("docs/newcomer-only.txt"), "only on the newcomer");
        ItSupport.write(newcomer.file("media/newcomer.bin"), bin);
        Map<String, String> before = textFiles(newcomer.dir());

        // 1. No --join, no --bootstrap: exit code 1, a clear message, the folder untouched.
        assertThat(newcomer.join).isNull();
        Path log = base.resolve(newcomer.id() + "-refused.log");
        int code = ItSupport.runToExit(newcomer, log, Duration.ofSeconds(60));
        String out = Files.readString(log);
        assertThat(code).as("exit code; output:\n" + out).isEqualTo(1);
        assertThat(out).contains("not empty").contains("--join").contains("--bootstrap");
        assertThat(textFiles(newcomer.dir())).isEqualTo(before);
        assertThat(Files.readAllBytes(newcomer.file("media/newcomer.bin"))).isEqualTo(bin);
        // It did not become a cluster: nothing listens on its admin port.
        assertThat(AdminHttp.answers(newcomer.adminAddress())).isFalse();

        // 2. With --join its files are merged.
        newcomer.join = first.raftAddress();
        cluster.register(newcomer);
        newcomer.start();
        List<TestNode> all = cluster.nodes();

        awaitContent(all, "same.txt", "identical on both sides", T);
        awaitContent(all, "differs.txt", "the cluster's version", T);
        awaitContent(all, "docs/cluster-only.txt", "only in the cluster", T);
        awaitContent(all, "docs/newcomer-only.txt", "only on the newcomer", T);
        awaitContent(all, "media/newcomer.bin", bin, T);
        await().atMost(T).ignoreExceptions().untilAsserted(() -> {
            for (TestNode n : all) {
                List<String> copies = conflictCopies(n.dir());
                assertThat(copies).as("conflict copies on " + n).hasSize(1);
                assertThat(copies.get(0)).matches("differs\\.conflict-" + newcomer.id() + "-\\d+(-\\d+)?\\.txt");
                assertThat(Files.readString(n.file(copies.get(0)))).isEqualTo("the newcomer's version");
            }
        });
        cluster.awaitConverged(T);
        for (TestNode n : all) {
            assertThat(n.status().path("conflicts").asInt()).as("conflicts on " + n).isEqualTo(1);
            assertThat(memberCount(n)).as("members seen by " + n).isEqualTo(4);
        }
        // Nothing deleted: every file of either side is still somewhere in the merged folder.
        Map<String, String> merged = textFiles(newcomer.dir());
        assertThat(merged).containsKeys("same.txt", "differs.txt", "docs/cluster-only.txt", "docs/newcomer-only.txt");
        assertThat(merged.values()).contains("the newcomer's version", "the cluster's version");
        assertThat(merged).hasSize(5);
    }
}
