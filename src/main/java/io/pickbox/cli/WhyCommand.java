package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.PathValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "why", mixinStandardHelpOptions = true,
        description = {"This node's state for one path, and why it is not in sync if it is not.",
                "Exits 0 when the path is in sync, 1 otherwise."})
final class WhyCommand extends FilesCommand.Target implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "A path relative to the synced folder.") String path;
    @Option(names = "--json", description = "Print JSON.") boolean asJson;

    @Override
    public Integer call() throws Exception {
        String p;
        try {
            p = PathValidator.normalize(path);
        } catch (io.pickbox.folder.InvalidPathException e) {
            throw usageError(e.getMessage());
        }
        AdminClient api = client();
        AdminClient.Answer a = api.get(AdminClient.filePath(p));
        if (asJson) System.out.println(a.body().toPrettyString());
        if (a.status() == 404 && a.body().has("onDisk")) {
            if (!asJson) {
                if (a.body().path("onDisk").asBoolean()) {
                    System.out.println(p + ": not committed, but present on this node's disk");
                    String why = a.body().path("sync").path("why").asText("");
                    if (!why.isEmpty()) System.out.println("  why: " + why);
                } else {
                    System.out.println(p + ": not committed and not on this node's disk");
                }
            }
            return 1;
        }
        JsonNode f = a.orThrow();
        JsonNode sync = f.path("sync");
        String state = sync.path("state").asText("unknown");
        if (!asJson) {
            System.out.printf("%s: %s%n", p, state);
            System.out.printf("  committed: %s, version %d, %d bytes, mode %s, sha256 %s%n", f.path("type").asText(),
                    f.path("version").asLong(), f.path("size").asLong(), f.path("mode").asText(), f.path("sha256").asText("-"));
            if (sync.has("localVersion")) System.out.println("  this node's version: " + sync.path("localVersion").asText("none"));
            if (sync.has("why")) System.out.println("  why: " + sync.path("why").asText());
        }
        return "in sync".equals(state) ? 0 : 1;
    }
}
