package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

// No mixinStandardHelpOptions: its --version would be this command's --version N.
@Command(name = "restore",
        description = {"Give an old version back, as a new change that every node applies.",
                "The restore can itself be undone.",
                "  --version N  that version of PATH (see: pickbox history PATH) becomes",
                "               the current one, at PATH or at --to PATH",
                "  --at TIME    the tree at PATH (. for the whole folder) as it was then:",
                "               deleted files come back, directories and modes too;",
                "               paths changed since the restore was asked are kept,",
                "               paths created after TIME are left alone",
                "TIME: 2026-12-04 10:15, 2026-12-04 10:15:30, 2026-11-01 (the start of",
                "that day), local time; or 2026-12-04T10:15:03Z, 2026-12-04T10:15:03+01:00."})
final class RestoreCommand extends FilesCommand.Target implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
    @Parameters(index = "0", paramLabel = "PATH", description = "A file or directory of the synced folder (. for all of it).")
    String path;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;
    @Option(names = "--to", paramLabel = "PATH", description = "With --version: restore the version at this path instead.")
    String to;
    @Option(names = "--json", description = "Print the API's answer (POST /v1/restore) as JSON.")
    boolean asJson;

    /** What to restore: one version, or the tree at a time. */
    static final class Which {
        @Option(names = "--version", required = true, paramLabel = "N", description = "The version to restore.")
        Long version;
        @Option(names = "--at", required = true, paramLabel = "TIME", description = "The time to restore the tree to.")
        String at;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", HistoryCommand.folderPath(spec, path, which.at != null));
        if (which.version != null) {
            if (which.version < 1) throw new ParameterException(spec.commandLine(), "--version must be a positive number, got " + which.version);
            body.put("version", which.version);
            if (to != null) body.put("to", HistoryCommand.folderPath(spec, to, false));
        } else {
            if (to != null) throw new ParameterException(spec.commandLine(), "--to goes with --version: a tree restored --at a time stays where it is");
            body.put("at", HistoryCommand.time(spec, which.at));
        }
        JsonNode report = client().post("/v1/restore", body).orThrow();
        if (asJson) System.out.println(report.toPrettyString());
        else System.out.println(describe(report));
        return 0;
    }

    /** "restored 10000, unchanged 0, kept 0 (changed since), left 0 (created after), conflicts 0" */
    static String describe(JsonNode r) {
        return "restored " + r.path("restored").asLong() + ", unchanged " + r.path("unchanged").asLong() + ", kept "
                + r.path("kept").asLong() + " (changed since), left " + r.path("newer").asLong() + " (created after), conflicts "
                + r.path("conflicts").asLong();
    }
}
