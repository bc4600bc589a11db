package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nemesis soak ({@code bench/soak}): three TLS nodes under a random workload on every node while
 * nodes are killed, paused and restarted; then nothing acknowledged is lost, nothing was seen torn,
 * and every folder is identical. A new seed each run (printed; {@code -Dsoak.seed=S} replays one),
 * {@code -Dsoak.minutes=N} for a longer run. On failure the soak's output and the nodes' logs are
 * printed, and the work folder is kept.
 */
class SoakIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void nothingAcknowledgedIsLostOrTornAndFoldersConvergeUnderKillsPausesAndRestarts() throws Exception {
        Path root = TestNode.jar().toAbsolutePath().getParent().getParent();
        String minutes = System.getProperty("soak.minutes", "1");
        String seed = System.getProperty("soak.seed", String.valueOf(ThreadLocalRandom.current().nextInt(1, 1_000_000_000)));
        Path out = dir.resolve("soak.json");
        Path log = dir.resolve("soak.log");
        Path work = dir.resolve("work");
        Process soak = new ProcessBuilder(root.resolve("bench/soak").toString(), "--minutes", minutes, "--seed", seed,
                "--out", out.toString(), "--work", work.toString())
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // The run, the nodes' start and the convergence after it, with room for a slow shared machine.
            long limitMinutes = (long) Math.ceil(Double.parseDouble(minutes)) + 8;
            boolean exited = soak.waitFor(limitMinutes, TimeUnit.MINUTES);
            if (!exited) {
                soak.destroy();   // SIGTERM: the soak stops its nodes
                soak.waitFor(60, TimeUnit.SECONDS);
            }
            assertThat(exited).as("soak (seed " + seed + ") finished within " + limitMinutes + " min").isTrue();
            assertThat(out).as("soak wrote its figures").exists();
            JsonNode r = JSON.readTree(out.toFile());
            String replay = "seed " + seed + "; replay: bench/soak --minutes " + minutes + " --seed " + seed;
            assertThat(r.path("lost").asInt(-1)).as("acknowledged writes lost, " + replay + ": " + r.path("lost_writes")).isZero();
            assertThat(r.path("torn").asInt(-1)).as("torn files seen, " + replay + ": " + r.path("torn_seen") + r.path("torn_final"))
                    .isZero();
            assertThat(r.path("identical").asBoolean()).as("identical folders, " + replay + ": " + r.path("differences")).isTrue();
            assertThat(r.path("converged").asBoolean()).as("converged, " + replay).isTrue();
            assertThat(r.path("errors").size()).as("errors, " + replay + ": " + r.path("errors")).isZero();
            for (String fault : List.of("kill", "pause", "restart")) {
                assertThat(r.path("faults").path(fault).asInt()).as(fault + " faults injected, " + replay).isPositive();
            }
            assertThat(r.path("acknowledged").asInt()).as("writes acknowledged").isGreaterThan(50);
            assertThat(r.path("samples").asInt()).as("files sampled for tearing").isGreaterThan(100);
            assertThat(soak.exitValue()).as("soak's exit code").isZero();
            System.out.println(Files.readString(log));
        } catch (AssertionError | IOException e) {
            printOutput(log, work);
            throw e;
        } finally {
            if (soak.isAlive()) soak.destroyForcibly().waitFor();
        }
    }

    /** The soak's own output, then the last lines of every node's log. */
    private static void printOutput(Path log, Path work) throws IOException {
        System.err.println("===== soak output (work folder kept: " + work + ")");
        if (Files.exists(log)) System.err.println(Files.readString(log));
        List<Path> logs = new ArrayList<>();
        if (Files.isDirectory(work)) {
            try (Stream<Path> s = Files.walk(work, 2)) {
                s.filter(p -> p.getFileName().toString().matches("node\\d\\.log")).sorted().forEach(logs::add);
            }
        }
        for (Path p : logs) {
            List<String> lines = Files.readAllLines(p);
            System.err.println("===== " + p.getFileName() + " (last 200 of " + lines.size() + " lines)");
            lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(System.err::println);
        }
    }
}
