package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.PathValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

@Command(name = "files", mixinStandardHelpOptions = true,
        description = "Manual file operations through any node's admin API; every change goes through consensus.",
        subcommands = {FilesCommand.Put.class, FilesCommand.Get.class, FilesCommand.Ls.class, FilesCommand.Rm.class})
final class FilesCommand {

    /** What every command that talks to a node's admin API takes: where, its token, the CA to trust. */
    static class Target {
        @Spec
        CommandSpec spec;
        @Option(names = "--admin", defaultValue = "127.0.0.1:9001", description = "Admin address of a node (default: ${DEFAULT-VALUE}).")
        String admin;
        @Mixin
        AdminTokenOption token = new AdminTokenOption();
        @Option(names = "--tls-ca", paramLabel = "FILE", description = "Talk HTTPS, trusting this CA (PEM): a node's admin API bound beyond loopback serves HTTPS"
                + " with the cluster's certificates (its CA is <state>/tls/ca.pem on any node).")
        Path tlsCa;

        AdminClient client() {
            try {
                return new AdminClient(admin, token.token(), tlsCa);
            } catch (IllegalArgumentException e) {
                throw usageError(e.getMessage());
            }
        }

        /** A bad argument found while the command runs: shown with this command's own usage, exit status 2. */
        ParameterException usageError(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Upload LOCAL to REMOTE (a path in the synced folder).")
    static final class Put extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "LOCAL") Path local;
        @Parameters(index = "1", paramLabel = "REMOTE") String remote;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(local)) throw new IllegalArgumentException("not a file: " + local);
            String path = PathValidator.normalize(remote);
            JsonNode r = client().put(AdminClient.filePath(path), local).orThrow();
            System.out.println(r.path("status").asText() + " " + r.path("path").asText() + " (version " + r.path("version").asLong() + ")");
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Download REMOTE to LOCAL (standard output if omitted).")
    static final class Get extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "REMOTE") String remote;
        @Parameters(index = "1", arity = "0..1", paramLabel = "LOCAL") Path local;

        @Override
        public Integer call() throws Exception {
            String path = PathValidator.normalize(remote);
            try (InputStream in = client().download(AdminClient.filePath(path) + "?content")) {
                if (local == null) {
                    OutputStream out = System.out;
                    in.transferTo(out);
                    out.flush();
                } else {
                    Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = {"List committed files under PREFIX, in path order.",
                    "Reads the listing a page at a time (--page-size entries a request) and prints each page as it"
                            + " arrives, so a folder of any size is listed in bounded memory.",
                    "--json prints one JSON array of the entries (the objects of GET /v1/files), one object per line,"
                            + " written as the pages arrive."})
    static final class Ls extends Target implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX") String prefix;
        @Option(names = "--json", description = "Print one JSON array, an entry per line.") boolean asJson;
        @Option(names = "--page-size", paramLabel = "N", defaultValue = "1000",
                description = "Entries asked for in one request, 1 to 10000 (default: ${DEFAULT-VALUE}).")
        int pageSize;

        @Override
        public Integer call() throws Exception {
            if (pageSize < 1 || pageSize > 10_000) {
                throw new ParameterException(spec.commandLine(), "--page-size must be from 1 to 10000, got " + pageSize);
            }
            String base = "/v1/files?limit=" + pageSize
                    + (prefix == null || prefix.isEmpty() ? "" : "&prefix=" + encode(PathValidator.normalize(prefix)));
            AdminClient client = client();
            PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
            boolean first = true;
            if (asJson) out.print("[");
            String after = null;
            do {
                JsonNode page = client.get(base + (after == null ? "" : "&after=" + encode(after))).orThrow();
                for (JsonNode e : page.path("entries")) {
                    if (asJson) {
                        out.print(first ? "\n" : ",\n");
                        out.print(e.toString());
                    } else {
                        printLine(out, e);
                    }
                    first = false;
                }
                out.flush();
                JsonNode next = page.path("next");
                after = next.isTextual() ? next.asText() : null;
            } while (after != null);
            if (asJson) out.println(first ? "]" : "\n]");
            out.flush();
            return 0;
        }

        private static void printLine(PrintWriter out, JsonNode e) {
            boolean dir = "dir".equals(e.path("type").asText());
            out.printf("%s %12s  %s%s%n", e.path("mode").asText(), dir ? "-" : e.path("size").asText(),
                    e.path("path").asText(), dir ? "/" : "");
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete REMOTE (a file or a whole directory).")
    static final class Rm extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "REMOTE") String remote;

        @Override
        public Integer call() throws Exception {
            JsonNode r = client().delete(AdminClient.filePath(PathValidator.normalize(remote))).orThrow();
            System.out.println(r.path("status").asText() + " " + remote);
            return 0;
        }
    }
}
