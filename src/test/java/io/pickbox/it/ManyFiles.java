package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.index.Index;
import io.pickbox.store.Store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tree of many small files spread over directories, written as fast as one thread can, and the
 * checks that a node holds it: in its folder, in its index (compared through the admin API), and in
 * checkpoints that carry the index only.
 */
final class ManyFiles {
    static final int FILE_SIZE = 64;

    final String root;
    final int dirs;
    final int filesPerDir;

    ManyFiles(String root, int dirs, int filesPerDir) {
        this.root = root;
        this.dirs = dirs;
        this.filesPerDir = filesPerDir;
    }

    int files() {
        return dirs * filesPerDir;
    }

    /** Index entries of the tree: its files, its directories and the root. */
    int entries() {
        return files() + dirs + 1;
    }

    /** Writes the tree into {@code folder}, a directory at a time by a few threads. */
    void write(Path folder) throws Exception {
        Path top = folder.resolve(root);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int d = 0; d < dirs; d++) {
                int dirNumber = d;
                done.add(writers.submit(() -> {
                    Path dir = Files.createDirectories(top.resolve("d" + dirNumber));
                    for (int f = 0; f < filesPerDir; f++) Files.write(dir.resolve("f" + f), content(dirNumber, f));
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            writers.shutdownNow();
        }
    }

    /** Each file's own content: its path, padded. */
    byte[] content(int d, int f) {
        byte[] content = new byte[FILE_SIZE];
        Arrays.fill(content, (byte) '.');
        byte[] name = (root + "/d" + d + "/f" + f + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, content, 0, Math.min(name.length, FILE_SIZE));
        return content;
    }

    /**
     * Waits until the node's folder holds the tree ({@link #assertHeldBy}): a node's status can say
     * nothing is pending while a catch-up is still writing the files its index holds.
     */
    void awaitHeldBy(TestNode n, Duration timeout) {
        // (a walk can meet a temp file just as it is renamed away: looked at again)
        await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> assertHeldBy(n));
    }

    /** The node's folder holds every file of the tree, and a sample of one file a directory has its content. */
    void assertHeldBy(TestNode n) throws IOException {
        try (Stream<Path> all = Files.walk(n.file(root))) {
            assertThat(all.filter(Files::isRegularFile).count()).as("files of " + root + " on " + n).isEqualTo(files());
        }
        for (int d = 0; d < dirs; d++) {
            int f = (d * 37) % filesPerDir;
            assertThat(n.file(root + "/d" + d + "/f" + f)).as("a sample file on " + n).hasBinaryContent(content(d, f));
        }
    }

    /**
     * Waits until every node in {@code nodes} is up, has nothing pending and reports the same index
     * (entry and byte counts) holding at least {@code minEntries}, and has applied what the others
     * had committed when the wait began.
     */
    static void awaitSameIndex(Collection<TestNode> nodes, long minEntries, Duration timeout) throws Exception {
        long committed = 0;
        for (TestNode n : nodes) {
            if (n.running()) committed = Math.max(committed, n.status().path("commitIndex").asLong());
        }
        long target = committed;
        await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            List<JsonNode> statuses = new ArrayList<>();
            for (TestNode n : nodes) {
                assertThat(n.running()).as(n + " is up").isTrue();
                JsonNode s = n.status();
                statuses.add(s);
                assertThat(s.path("files").asLong()).as("entries on " + n).isGreaterThanOrEqualTo(minEntries);
                assertThat(s.path("pending").asInt()).as("pending on " + n).isZero();
                assertThat(s.path("appliedIndex").asLong()).as("applied on " + n).isGreaterThanOrEqualTo(target);
            }
            for (JsonNode s : statuses) {
                assertThat(s.path("files").asLong()).as("entries of " + s.path("node")).isEqualTo(statuses.get(0).path("files").asLong());
                assertThat(s.path("bytes").asLong()).as("bytes of " + s.path("node")).isEqualTo(statuses.get(0).path("bytes").asLong());
            }
        });
    }

    // ---------------------------------------------------------------- a node's state directory

    static Path stateDir(TestNode n) {
        return n.dir().resolve(".pickbox");
    }

    /** The Ratis group directories of a node ({@code .pickbox/raft/<group-uuid>}). */
    static List<Path> groupDirs(TestNode n) throws IOException {
        Path raft = stateDir(n).resolve("raft");
        if (!Files.isDirectory(raft)) return List.of();
        try (Stream<Path> s = Files.list(raft)) {
            return s.filter(p -> Files.isDirectory(p.resolve("current"))).toList();
        }
    }

    /** The first index the node's Raft log holds (what is before it was purged behind a checkpoint). */
    static long logStart(TestNode n) throws IOException {
        long start = Long.MAX_VALUE;
        for (Path group : groupDirs(n)) {
            try (Stream<Path> s = Files.list(group.resolve("current"))) {
                for (String f : s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("log_")).toList()) {
                    String from = f.startsWith("log_inprogress_") ? f.substring("log_inprogress_".length())
                            : f.substring("log_".length(), f.indexOf('-'));
                    start = Math.min(start, Long.parseLong(from));
                }
            }
        }
        return start;
    }

    /** The first index any of {@code nodes} still holds in its Raft log: past it, every one of them purged. */
    static long logStart(List<TestNode> nodes) throws IOException {
        long first = Long.MAX_VALUE;
        for (TestNode n : nodes) first = Math.min(first, logStart(n));
        return first;
    }

    /** The node's checkpoint directories ({@code sm/checkpoint.TERM_INDEX}). */
    static List<Path> checkpoints(TestNode n) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path group : groupDirs(n)) {
            Path sm = group.resolve("sm");
            if (!Files.isDirectory(sm)) continue;
            try (Stream<Path> s = Files.list(sm)) {
                s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("checkpoint\\.\\d+_\\d+")).forEach(out::add);
            }
        }
        return out;
    }

    /** Every checkpoint of the node holds the index's tables and nothing else. */
    static void assertCheckpointsHoldTheIndexOnly(TestNode n) throws IOException {
        List<Path> checkpoints = checkpoints(n);
        assertThat(checkpoints).as("checkpoints of " + n).isNotEmpty();
        for (Path cp : checkpoints) {
            assertThat(Store.tablesIn(cp)).as("tables of " + cp).isNotEmpty()
                    .allMatch(t -> t.startsWith(Index.NAMESPACE) || t.equals(Store.META));
        }
    }

    /**
     * Turns the stopped node's checkpoints into those an earlier version took: one checkpoint of the
     * whole store (its local table too), at the entry the store has applied.
     */
    static void checkpointTheWholeStoreAsBefore(TestNode n) throws IOException {
        Path sm = checkpoints(n).get(0).getParent();
        for (Path cp : checkpoints(n)) deleteTree(cp);
        try (Store store = Store.open(stateDir(n).resolve("store"), io.pickbox.store.StoreOptions.SMALL)) {
            long[] applied = Index.appliedIn(store);
            store.checkpoint(sm.resolve("checkpoint." + applied[0] + "_" + applied[1]));
        }
        assertThat(Store.tablesIn(checkpoints(n).get(0))).contains("local");
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Lines of the node's log written after {@code offset} bytes that contain {@code needle}. */
    static List<String> logLinesSince(TestNode n, long offset, String needle) throws IOException {
        if (!Files.exists(n.log)) return List.of();
        byte[] all = Files.readAllBytes(n.log);
        if (offset >= all.length) return List.of();
        String text = new String(all, (int) offset, all.length - (int) offset, StandardCharsets.ISO_8859_1);
        return text.lines().filter(l -> l.contains(needle)).toList();
    }

    static long logSize(TestNode n) throws IOException {
        return Files.exists(n.log) ? Files.size(n.log) : 0;
    }
}
