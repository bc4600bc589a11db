package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.PathValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

@Command(name = "files", mixinStandardHelpOptions = true,
        description = "Manual file operations through any node's admin API; every change goes through consensus.",
        subcommands = {FilesCommand.Put.class, FilesCommand.Get.class, FilesCommand.Ls.class, FilesCommand.Rm.class})
final class FilesCommand {

    static class Target {
        @Option(names = "--admin", defaultValue = "127.0.0.1:9001", description = "Admin address of a node (default: ${DEFAULT-VALUE}).")
        String admin;
        @Mixin
        AdminTokenOption token = new AdminTokenOption();
        @Option(names = "--tls-ca", paramLabel = "FILE", description = {"Talk HTTPS, trusting this CA (PEM): a node's admin API bound beyond",
                "loopback serves HTTPS with the cluster's certificates (its CA is <state>/tls/ca.pem on any node)."})
        Path tlsCa;

        AdminClient client() {
            return new AdminClient(admin, token.token(), tlsCa);
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

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List committed files under PREFIX.")
    static final class Ls extends Target implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX") String prefix;
        @Option(names = "--json", description = "Print JSON.") boolean asJson;

        @Override
        public Integer call() throws Exception {
            String q = prefix == null || prefix.isEmpty() ? "" : "?prefix=" + java.net.URLEncoder.encode(PathValidator.normalize(prefix), "UTF-8");
            JsonNode list = client().get("/v1/files" + q).orThrow();
            if (asJson) {
                System.out.println(list.toPrettyString());
                return 0;
            }
            for (JsonNode e : list) {
                boolean dir = "dir".equals(e.path("type").asText());
                System.out.printf("%s %12s  %s%s%n", e.path("mode").asText(), dir ? "-" : e.path("size").asText(),
                        e.path("path").asText(), dir ? "/" : "");
            }
            return 0;
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
