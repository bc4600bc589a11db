package io.pickbox.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A process killed with SIGKILL while it writes batches leaves a store that reopens with every batch whole or absent. */
class StoreCrashTest {
    @TempDir
    Path tmp;

    @Test
    void killedWritersLeaveWholeBatchesOnly() throws Exception {
        Path dir = tmp.resolve("store");
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        long acknowledged = 0;
        for (int round = 1; round <= 3; round++) {
            acknowledged = Math.max(acknowledged, runAndKill(dir, childTmp, acknowledged + 150 + round * 37L));
            try (Store store = Store.open(dir, StoreOptions.SMALL)) {
                long applied = store.getLong(store.meta(), "applied", 0);
                // a killed process loses nothing it committed: the OS holds the store's log
                assertThat(applied).isGreaterThanOrEqualTo(acknowledged);
                assertWholeBatches(store, applied);
                acknowledged = applied;
            }
        }
        // the writers load RocksDB's library from beside the store: nothing is left in their temp directory
        try (Stream<Path> left = Files.list(childTmp)) {
            assertThat(left).isEmpty();
        }
    }

    /** Starts a writer, kills it with SIGKILL once it has reported batch {@code until}; returns the last batch reported. */
    private static long runAndKill(Path dir, Path childTmp, long until) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-Djava.io.tmpdir=" + childTmp,
                "-cp", System.getProperty("java.class.path"),
                StoreCrashChild.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long last = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                last = Long.parseLong(line.trim());
                if (last >= until) {
                    p.destroyForcibly(); // SIGKILL: no shutdown hook, no close
                    break;
                }
            }
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(last).as("the writer reported batches").isGreaterThanOrEqualTo(until);
        return last;
    }

    private static void assertWholeBatches(Store store, long applied) {
        Map<Long, Integer> rowsPerBatch = new HashMap<>();
        try (Snapshot s = store.snapshot(); Cursor c = s.cursor(store.table("rows"), null)) {
            while (c.next()) {
                String key = Keys.string(c.key());
                rowsPerBatch.merge(Long.parseLong(key.substring(0, key.indexOf('/'))), 1, Integer::sum);
            }
        }
        long first = Math.max(1, applied - StoreCrashChild.KEPT + 1);
        Map<Long, Integer> expected = new HashMap<>();
        for (long b = first; b <= applied; b++) expected.put(b, StoreCrashChild.ROWS);
        assertThat(rowsPerBatch).isEqualTo(expected);
    }
}
