package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Inspect the cluster.",
        subcommands = {ClusterCommand.Status.class})
final class ClusterCommand {

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Members, roles, lag and this node's sync state.")
    static final class Status extends FilesCommand.Target implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON.") boolean asJson;

        @Override
        public Integer call() throws Exception {
            JsonNode s = client().getJson("/v1/status");
            if (asJson) {
                System.out.println(s.toPrettyString());
                return 0;
            }
            System.out.printf("node %s (%s), leader %s, term %d, commit %d, applied %d%n", s.path("node").asText(),
                    s.path("role").asText(), s.path("leader").asText(), s.path("term").asLong(),
                    s.path("commitIndex").asLong(), s.path("appliedIndex").asLong());
            System.out.printf("%-12s %-22s %-10s %s%n", "MEMBER", "ADDRESS", "ROLE", "LAG");
            for (JsonNode m : s.path("members")) {
                System.out.printf("%-12s %-22s %-10s %s%n", m.path("id").asText(), m.path("address").asText(),
                        m.path("role").asText(), m.path("lag").isNull() ? "?" : m.path("lag").asText());
            }
            System.out.printf("files %d, bytes %d, pending %d, conflicts %d%n", s.path("files").asLong(),
                    s.path("bytes").asLong(), s.path("pending").asLong(), s.path("conflicts").asLong());
            return 0;
        }
    }
}
