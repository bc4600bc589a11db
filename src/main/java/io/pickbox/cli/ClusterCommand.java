package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Inspect and change the cluster's membership.",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Invite.class, ClusterCommand.Add.class,
                ClusterCommand.Remove.class, ClusterCommand.TransferLeader.class})
final class ClusterCommand {

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Members, roles, lag and this node's sync state.")
    static final class Status extends FilesCommand.Target implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON.") boolean asJson;
        @Option(names = "--watch", description = "Refresh every second until Ctrl-C, with progress bars while members catch up.")
        boolean watch;
        @Option(names = "--iterations", hidden = true, defaultValue = "0", description = "Stop --watch after this many refreshes.")
        int iterations;

        @Override
        public Integer call() throws Exception {
            AdminClient api = client();
            if (!watch) {
                JsonNode s = api.get("/v1/status").orThrow();
                if (asJson) System.out.println(s.toPrettyString());
                else print(System.out, s, null);
                return 0;
            }
            Map<String, Long> firstLag = new HashMap<>();
            for (int i = 0; iterations <= 0 || i < iterations; i++) {
                if (i > 0) Thread.sleep(1000);
                AdminClient.Answer a;
                try {
                    a = api.get("/v1/status");
                } catch (java.io.IOException e) {
                    System.out.print("\033[H\033[2J");
                    System.out.println(e.getMessage() + " (retrying)");
                    continue;
                }
                if (asJson) {
                    System.out.println(a.body().toString());
                    continue;
                }
                System.out.print("\033[H\033[2J");
                if (!a.ok()) System.out.println(a.problem());
                else print(System.out, a.body(), firstLag);
                System.out.flush();
            }
            return 0;
        }
    }

    /** The readable table; with {@code firstLag}, members that are behind get a progress bar. */
    static void print(PrintStream out, JsonNode s, Map<String, Long> firstLag) {
        out.printf("node %s (%s), leader %s, term %d, commit %d, applied %d, %s%n", s.path("node").asText(),
                s.path("role").asText(), s.path("leader").asText("none"), s.path("term").asLong(),
                s.path("commitIndex").asLong(), s.path("appliedIndex").asLong(),
                s.path("healthy").asBoolean() ? "healthy" : "NOT HEALTHY (no leader)");
        out.printf("%-14s %-22s %-9s %-9s %10s %8s  %-10s%n", "MEMBER", "ADDRESS", "ROLE", "REACHABLE", "COMMIT", "LAG", "CERT UNTIL");
        for (JsonNode m : s.path("members")) {
            String id = m.path("id").asText();
            JsonNode reach = m.path("reachable");
            String lag = m.path("lag").isNumber() ? m.path("lag").asText() : "?";
            String cert = m.path("certificateExpires").asText("-");
            out.printf("%-14s %-22s %-9s %-9s %10s %8s  %-10s%s%n", id + (m.path("self").asBoolean() ? "*" : ""),
                    m.path("address").asText(), m.path("role").asText(),
                    reach.isBoolean() ? (reach.asBoolean() ? "yes" : "NO") : "?",
                    m.path("commitIndex").isNumber() ? m.path("commitIndex").asText() : "?", lag,
                    cert.length() >= 10 ? cert.substring(0, 10) : cert,
                    firstLag == null ? "" : progress(firstLag, id, m.path("lag")));
        }
        out.printf("files %d, bytes %s, pending local changes %d, conflicts %d%n", s.path("files").asLong(),
                human(s.path("bytes").asLong()), s.path("pending").asLong(), s.path("conflicts").asLong());
        if (!s.path("lastError").isNull() && !s.path("lastError").isMissingNode()) {
            out.println("last error: " + s.path("lastError").asText());
        }
        s.path("notReplicated").fields().forEachRemaining(name ->
                out.println("not replicated: " + printable(name.getKey()) + " (" + name.getValue().asText() + ")"));
        for (JsonNode t : s.path("transfers")) {
            long done = t.path("done").asLong();
            long total = Math.max(1, t.path("total").asLong());
            int width = 20;
            int filled = (int) Math.min(width, Math.round(width * (double) done / total));
            out.printf("%s %s  [%s%s] %3d%%  %s of %s%n", t.path("direction").asText(), t.path("path").asText(),
                    "#".repeat(filled), ".".repeat(width - filled), Math.round(100.0 * done / total), human(done), human(total));
        }
        JsonNode catchUp = s.path("catchUp");
        if (catchUp.path("running").asBoolean()) {
            long files = Math.max(1, catchUp.path("files").asLong());
            long done = catchUp.path("filesDone").asLong();
            int width = 20;
            int filled = (int) Math.min(width, Math.round(width * (double) done / files));
            out.printf("fetching small files  [%s%s] %3d%%  %d of %d files, %s of %s%n", "#".repeat(filled), ".".repeat(width - filled),
                    Math.round(100.0 * done / files), done, catchUp.path("files").asLong(),
                    human(catchUp.path("bytesDone").asLong()), human(catchUp.path("bytes").asLong()));
        }
        printMassChanges(out, s.path("massChanges"));
        if (firstLag != null && s.path("pending").asLong() > 0) {
            out.println(s.path("pending").asLong() + " path(s) waiting or in flight on this node");
        }
    }

    /** The last mass changes, newest first, each with the command that undoes it. */
    static void printMassChanges(PrintStream out, JsonNode changes) {
        if (!changes.isArray() || changes.isEmpty()) return;
        out.println("MASS CHANGES (newest first; each line below one undoes it):");
        for (JsonNode c : changes) {
            out.printf("  %s  %s deleted %d, rewrote %d file(s) under %s%n", c.path("since").asText(),
                    c.path("node").asText(), c.path("deleted").asLong(), c.path("rewritten").asLong(), c.path("path").asText());
            out.println("    " + c.path("undo").asText());
        }
    }

    /** A bar that fills as a member's lag shrinks from the largest lag seen while watching. */
    static String progress(Map<String, Long> firstLag, String id, JsonNode lagNode) {
        if (!lagNode.isNumber()) return "";
        long lag = lagNode.asLong();
        if (lag <= 0) {
            firstLag.remove(id);
            return "";
        }
        long max = Math.max(firstLag.getOrDefault(id, 0L), lag);
        firstLag.put(id, max);
        int width = 20;
        int done = (int) Math.round(width * (1.0 - (double) lag / max));
        return String.format("  [%s%s] %3d%% catching up", "#".repeat(done), ".".repeat(width - done),
                Math.round(100.0 * (max - lag) / max));
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format("%.1f %s", v, units[i]);
    }

    @Command(name = "invite", mixinStandardHelpOptions = true,
            description = {"Print a one-time token that lets one new node join.",
                    "`TOKEN=$(pickbox cluster invite)`, then on the new machine",
                    "`pickbox node start ... --join HOST:PORT --token-file FILE`.",
                    "Only the token goes to standard output; the cluster keeps only its hash."})
    static final class Invite extends FilesCommand.Target implements Callable<Integer> {
        @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "1h",
                description = "How long the token works, e.g. 30m, 1h, 7d (default: ${DEFAULT-VALUE}; at most 30d).")
        String expires;
        @Option(names = "--learner", description = "The new node joins as a learner: it receives every change but does not vote.")
        boolean learner;

        @Override
        public Integer call() throws Exception {
            long seconds = seconds(expires);
            JsonNode answer = client().post("/v1/cluster/invites", Map.of("expiresSeconds", seconds, "learner", learner)).orThrow();
            System.out.println(answer.path("token").asText());
            System.err.printf("Invite for a %s, valid for %s and for one node. On the new machine:%n"
                            + "  pickbox node start --node-id ID --host ADDRESS --join THIS_NODE:RAFT_PORT --token-file FILE%n",
                    learner ? "learner" : "voter", expires);
            return 0;
        }

        private long seconds(String text) {
            var m = java.util.regex.Pattern.compile("(\\d{1,7})([smhd])").matcher(text.trim());
            if (!m.matches()) {
                throw usageError("--expires must look like 30m, 1h or 7d, got " + text);
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> n;
                case "m" -> n * 60;
                case "h" -> n * 3600;
                default -> n * 86400;
            };
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a running node (started with --wait-to-be-added) to the cluster.",
                    "It catches up as a non-voting member first; the change commits once it has caught up."})
    static final class Add extends FilesCommand.Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The new node's id.") String id;
        @Parameters(index = "1", paramLabel = "HOST:PORT", description = "The new node's Raft address.") String address;

        @Override
        public Integer call() throws Exception {
            if (!address.matches("[^:/\\s]+:\\d{1,5}")) {
                throw usageError("HOST:PORT expected, got " + address);
            }
            AdminClient api = client();
            api.post("/v1/cluster/members", Map.of("id", id, "address", address)).orThrow();
            System.out.println("added " + id + " (" + address + ") as a voting member");
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a member from the cluster.")
    static final class Remove extends FilesCommand.Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            AdminClient api = client();
            api.delete("/v1/cluster/members/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)).orThrow();
            System.out.println("removed " + id);
            return 0;
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true, description = "Hand leadership to another voting member.")
    static final class TransferLeader extends FilesCommand.Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            AdminClient api = client();
            api.post("/v1/cluster/leader", Map.of("id", id)).orThrow();
            System.out.println("leader is now " + id);
            return 0;
        }
    }

    /** {@code s} with its control characters escaped: a name in the folder must not drive the terminal. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) b.append(String.format("\\u%04X", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
