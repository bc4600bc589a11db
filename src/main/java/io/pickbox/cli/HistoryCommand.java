package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Every version the cluster keeps of PATH, newest first.",
                "For each: when it was committed, its size and sha256, the node that made",
                "it, and what happened to it. Any of them can be restored:",
                "pickbox restore PATH --version N",
                "(A file named like a subcommand: pickbox history -- purge)"},
        subcommands = {HistoryCommand.Purge.class, HistoryCommand.Settings.class})
final class HistoryCommand extends FilesCommand.Target implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "A file or directory of the synced folder.")
    String path;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "Show at most N versions, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = "--json", description = "Print the API's answer (GET /v1/history/PATH) as JSON.")
    boolean asJson;

    @Override
    public Integer call() throws Exception {
        if (path == null) {
            throw new ParameterException(spec.commandLine(), "name a PATH (pickbox history PATH), or see: pickbox history settings");
        }
        if (limit < 1 || limit > 10_000) throw new ParameterException(spec.commandLine(), "--limit must be from 1 to 10000, got " + limit);
        String p = folderPath(spec, path, false);
        JsonNode answer = client().get(AdminClient.historyPath(p) + "?limit=" + limit).orThrow();
        if (asJson) System.out.println(answer.toPrettyString());
        else print(System.out, answer, ZoneId.systemDefault());
        return 0;
    }

    /** The versions as a table, times in {@code zone}. */
    static void print(PrintStream out, JsonNode answer, ZoneId zone) {
        out.println(answer.path("path").asText());
        out.printf("%10s  %-19s  %12s  %-12s  %-10s  %s%n", "VERSION", "TIME", "SIZE", "SHA256", "NODE", "WHAT HAPPENED");
        for (JsonNode v : answer.path("versions")) {
            boolean dir = "dir".equals(v.path("kind").asText());
            String sha = v.path("sha256").asText("");
            out.printf("%10d  %-19s  %12s  %-12s  %-10s  %s%n", v.path("version").asLong(),
                    TimeArgument.show(text(v, "committedAt"), zone), dir ? "dir" : v.path("size").asText(),
                    dir || sha.isEmpty() ? "-" : sha.substring(0, Math.min(12, sha.length())), v.path("node").asText("-"),
                    whatHappened(v, zone));
        }
    }

    /** How a version stopped being current, in words: "current", "edited by node2 at 2026-12-04 10:15:03", ... */
    static String whatHappened(JsonNode v, ZoneId zone) {
        String ending = v.path("ending").asText("");
        if (ending.equals("current")) return "current";
        String byAt = " by " + v.path("endedBy").asText("?") + " at " + TimeArgument.show(text(v, "endedAt"), zone);
        return switch (ending) {
            case "edited" -> "edited" + byAt;
            case "changed" -> "mode or time changed" + byAt;
            case "deleted" -> "deleted" + byAt;
            case "moved" -> "moved to " + text(v, "movedTo") + byAt;
            case "replaced" -> "replaced by a rename onto it" + byAt;
            case "restored" -> "replaced by a restore" + byAt;
            default -> ending + byAt;
        };
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /**
     * A path of the folder as typed: a trailing '/' (a shell's completion of a directory) is
     * dropped; with {@code wholeFolder}, "", "." and "/" are the whole folder (""). A bad path is a usage error.
     */
    static String folderPath(CommandSpec spec, String raw, boolean wholeFolder) {
        String p = raw;
        if (wholeFolder && (p.isEmpty() || p.equals(".") || p.equals("/") || p.equals("./"))) return "";
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        try {
            return PathValidator.normalize(p);
        } catch (InvalidPathException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The status of the history (GET /v1/history and the answers of its changes), in words. */
    static void printStatus(PrintStream out, JsonNode s, ZoneId zone) {
        if (!s.path("enabled").asBoolean()) {
            out.println("history: off (0 days): replaced and deleted versions are not kept");
        } else {
            long setting = s.path("maxBytesSetting").asLong();
            out.printf("history: on, versions kept %d days within %s%s%n", s.path("days").asInt(),
                    ClusterCommand.human(s.path("maxBytes").asLong()), setting == 0 ? " (relative to the folder's size)" : "");
        }
        out.printf("holds %d old versions, %s%n", s.path("versions").asLong(), ClusterCommand.human(s.path("bytes").asLong()));
        String since = text(s, "restorableSince");
        if (since != null) out.println("restorable since " + TimeArgument.show(since, zone));
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Drop the versions replaced before TIME, on every node.",
                    "It gives their space back. TIME: 2026-12-04 10:15, 2026-12-04 10:15:30,",
                    "2026-11-01 (the start of that day), local time; or 2026-12-04T10:15:03Z."})
    static final class Purge extends FilesCommand.Target implements Callable<Integer> {
        @Option(names = "--before", required = true, paramLabel = "TIME", description = "Versions replaced before this time are dropped.")
        String before;
        @Option(names = "--json", description = "Print the history's status after the purge as JSON.")
        boolean asJson;

        @Override
        public Integer call() throws Exception {
            long millis = time(spec, before);
            JsonNode status = client().post("/v1/history/purge", Map.of("before", millis)).orThrow();
            if (asJson) {
                System.out.println(status.toPrettyString());
            } else {
                System.out.println("purged the versions replaced before " + TimeArgument.show(millis, ZoneId.systemDefault()));
                printStatus(System.out, status, ZoneId.systemDefault());
            }
            return 0;
        }
    }

    @Command(name = "settings", mixinStandardHelpOptions = true,
            description = {"How long the cluster keeps old versions, within how much space.",
                    "With no option, show it. The settings are the cluster's: every node",
                    "keeps the same versions."})
    static final class Settings extends FilesCommand.Target implements Callable<Integer> {
        @Option(names = "--days", paramLabel = "N", description = "Keep versions N days (0 turns the history off).")
        Integer days;
        @Option(names = "--max-bytes", paramLabel = "SIZE",
                description = "Keep at most SIZE of old versions, e.g. 20G (0: relative to the folder's size).")
        String maxBytes;
        @Option(names = "--json", description = "Print the history's status as JSON.")
        boolean asJson;

        @Override
        public Integer call() throws Exception {
            JsonNode status;
            if (days == null && maxBytes == null) {
                status = client().get("/v1/history").orThrow();
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                if (days != null) {
                    if (days < 0) throw new ParameterException(spec.commandLine(), "--days cannot be negative, got " + days);
                    body.put("days", days);
                }
                if (maxBytes != null) {
                    try {
                        body.put("maxBytes", ByteSize.parse(maxBytes));
                    } catch (IllegalArgumentException e) {
                        throw new ParameterException(spec.commandLine(), "--max-bytes: " + e.getMessage());
                    }
                }
                status = client().post("/v1/history/settings", body).orThrow();
            }
            if (asJson) System.out.println(status.toPrettyString());
            else printStatus(System.out, status, ZoneId.systemDefault());
            return 0;
        }
    }

    /** A TIME option's value in epoch milliseconds; one that cannot be read is a usage error. */
    static long time(CommandSpec spec, String text) {
        try {
            return TimeArgument.parse(text, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
