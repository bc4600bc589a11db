package io.pickbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pickbox.it.NamespaceCluster.awaitConverged;
import static io.pickbox.it.NamespaceCluster.awaitFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A network partition between hosts, made by taking one host's link down: the majority goes on,
 * the node cut off commits nothing but keeps its local edits, and once the link is back every
 * folder converges, with a file edited on both sides kept twice (the original and a conflict copy).
 */
class PartitionIT {

    private static final Duration REPLICATION = Duration.ofSeconds(30);
    private static final Duration AFTER_HEALING = Duration.ofSeconds(60);
    /** How long a file written on the cut-off node must stay there alone. */
    private static final Duration STAYS_LOCAL = Duration.ofSeconds(3);

    @RegisterExtension
    final NodeLogsOnFailure logs = new NodeLogsOnFailure();

    @Test
    void aFollowerCutOffKeepsItsEditsAndConcurrentEditsEndAsConflictCopies(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path base)
            throws Exception {
        try (NamespaceCluster cluster = logs.watch(NamespaceCluster.start(base, 3))) {
            NamespaceNode leader = cluster.awaitLeader(cluster.nodes(), 0, REPLICATION);
            List<NamespaceNode> followers = cluster.except(leader);
            NamespaceNode peer = followers.get(0);
            NamespaceNode cut = followers.get(1);
            List<NamespaceNode> majority = List.of(leader, peer);
            byte[] original = text("the version every node starts from\n");
            ItSupport.write(leader.file("shared.txt"), original);
            awaitFiles(cluster.nodes(), Map.of("shared.txt", original), REPLICATION);
            awaitConverged(cluster.nodes(), REPLICATION);

            cluster.cut(cut);
            byte[] minorityEdit = text("edited on the node cut off\n");
            byte[] minorityFile = text("written on the node cut off\n");
            ItSupport.write(cut.file("shared.txt"), minorityEdit);
            ItSupport.write(cut.file("minority.txt"), minorityFile);
            byte[] majorityEdit = text("edited on the majority\n");
            byte[] majorityFile = text("written on the majority\n");
            ItSupport.write(peer.file("shared.txt"), majorityEdit);
            ItSupport.write(leader.file("majority.txt"), majorityFile);

            awaitFiles(majority, Map.of("shared.txt", majorityEdit, "majority.txt", majorityFile), REPLICATION);
            assertStaysOnlyOn(cut, majority, "minority.txt", minorityFile);
            assertThat(cut.file("shared.txt")).as("the cut-off node's own edit").hasBinaryContent(minorityEdit);
            assertThat(cut.file("majority.txt")).as("a majority commit on the cut-off node").doesNotExist();
            await("the cut-off node's uncommitted changes").atMost(REPLICATION).ignoreExceptions()
                    .untilAsserted(() -> assertThat(cluster.statusOnItsHost(cut).path("pending").asInt()).isPositive());

            cluster.heal(cut);
            awaitConverged(cluster.nodes(), AFTER_HEALING);
            for (NamespaceNode n : cluster.nodes()) {
                assertThat(n.file("minority.txt")).as("minority.txt on " + n).hasBinaryContent(minorityFile);
                assertThat(n.file("majority.txt")).as("majority.txt on " + n).hasBinaryContent(majorityFile);
                List<String> copies = ItSupport.conflictCopies(n.dir);
                assertThat(copies).as("conflict copies on " + n).hasSize(1)
                        .allMatch(p -> p.matches("shared\\.conflict-[abc]-\\d+\\.txt"));
                List<String> contents = new ArrayList<>(List.of(read(n.file("shared.txt")), read(n.file(copies.get(0)))));
                assertThat(contents).as("shared.txt and its conflict copy on " + n)
                        .containsExactlyInAnyOrder(read(majorityEdit), read(minorityEdit));
            }
        }
    }

    @Test
    void theLeaderCutOffIsReplacedAndItsEditsReplicateAfterHealing(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path base)
            throws Exception {
        try (NamespaceCluster cluster = logs.watch(NamespaceCluster.start(base, 3))) {
            NamespaceNode oldLeader = cluster.awaitLeader(cluster.nodes(), 0, REPLICATION);
            long term = oldLeader.status().path("term").asLong();
            List<NamespaceNode> majority = cluster.except(oldLeader);

            cluster.cut(oldLeader);
            byte[] fromOldLeader = text("written on the old leader while it was cut off\n");
            ItSupport.write(oldLeader.file("old-leader.txt"), fromOldLeader);
            NamespaceNode newLeader = cluster.awaitLeader(majority, term, REPLICATION);
            NamespaceNode follower = cluster.except(oldLeader, newLeader).get(0);
            byte[] fromNewLeader = text("written on the new leader\n");
            byte[] fromFollower = text("written on its follower\n");
            ItSupport.write(newLeader.file("new-leader.txt"), fromNewLeader);
            ItSupport.write(follower.file("follower.txt"), fromFollower);
            awaitFiles(majority, Map.of("new-leader.txt", fromNewLeader, "follower.txt", fromFollower), REPLICATION);
            assertStaysOnlyOn(oldLeader, majority, "old-leader.txt", fromOldLeader);
            assertThat(oldLeader.file("new-leader.txt")).as("a majority commit on the old leader").doesNotExist();

            cluster.heal(oldLeader);
            awaitConverged(cluster.nodes(), AFTER_HEALING);
            awaitFiles(cluster.nodes(), Map.of("old-leader.txt", fromOldLeader, "new-leader.txt", fromNewLeader,
                    "follower.txt", fromFollower), REPLICATION);
            for (NamespaceNode n : cluster.nodes()) {
                assertThat(ItSupport.conflictCopies(n.dir)).as("conflict copies on " + n).isEmpty();
            }
        }
    }

    /** {@code rel} stays on {@code cut}, with its content, and reaches none of {@code others}. */
    private static void assertStaysOnlyOn(NamespaceNode cut, List<NamespaceNode> others, String rel, byte[] content) {
        await(rel + " only on " + cut).during(STAYS_LOCAL).atMost(STAYS_LOCAL.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(cut.file(rel)).hasBinaryContent(content);
                    for (NamespaceNode n : others) assertThat(n.file(rel)).as(rel + " on " + n).doesNotExist();
                });
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String read(Path p) throws java.io.IOException {
        return Files.readString(p);
    }
}
