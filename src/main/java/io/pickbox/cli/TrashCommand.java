package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.concurrent.Callable;

@Command(name = "trash", mixinStandardHelpOptions = true, description = "Paths deleted recently, which the history still holds.",
        subcommands = {TrashCommand.Ls.class})
final class TrashCommand {

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = {"Deleted paths at or under PREFIX, most recently deleted first.",
                    "For each: when and by which node it was deleted, its size, and the version",
                    "to give back (pickbox restore PATH --version N)."})
    static final class Ls extends FilesCommand.Target implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX") String prefix;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Show at most N paths, 1 to 10000 (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--json", description = "Print the API's answer (GET /v1/trash) as JSON.") boolean asJson;

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > 10_000) throw new ParameterException(spec.commandLine(), "--limit must be from 1 to 10000, got " + limit);
            String p = prefix == null ? "" : HistoryCommand.folderPath(spec, prefix, true);
            JsonNode page = client().get("/v1/trash?limit=" + limit + (p.isEmpty() ? "" : "&prefix=" + AdminClient.query(p))).orThrow();
            if (asJson) System.out.println(page.toPrettyString());
            else print(System.out, page, ZoneId.systemDefault());
            return 0;
        }
    }

    static void print(PrintStream out, JsonNode page, ZoneId zone) {
        out.printf("%-19s  %-10s  %12s  %10s  %s%n", "DELETED AT", "BY", "SIZE", "VERSION", "PATH");
        for (JsonNode e : page.path("entries")) {
            boolean dir = "dir".equals(e.path("kind").asText());
            out.printf("%-19s  %-10s  %12s  %10d  %s%s%n", TimeArgument.show(e.path("deletedAt").asText(null), zone),
                    e.path("node").asText("-"), dir ? "dir" : e.path("size").asText(), e.path("version").asLong(),
                    e.path("path").asText(), dir ? "/" : "");
        }
        if (page.path("next").isTextual()) out.println("(more: raise --limit, or narrow with a PREFIX)");
    }
}
