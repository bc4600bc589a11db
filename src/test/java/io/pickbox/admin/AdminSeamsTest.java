package io.pickbox.admin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin layer reads the node through its own narrow interfaces: it never reaches back into the
 * wiring that builds it, and Raft's internals stay inside the raft package.
 */
class AdminSeamsTest {

    private static final Path MAIN = Path.of("src/main/java/io/pickbox");

    private static List<String> filesMentioning(Path dir, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                if (Files.readString(f).contains(text)) out.add(MAIN.relativize(f).toString());
            }
        }
        return out;
    }

    @Test
    void neitherAdminNorTransferUsesTheNodePackage() throws IOException {
        assertThat(filesMentioning(MAIN.resolve("admin"), "io.pickbox.node")).isEmpty();
        assertThat(filesMentioning(MAIN.resolve("transfer"), "io.pickbox.node")).isEmpty();
        assertThat(filesMentioning(MAIN.resolve("transfer"), "io.pickbox.admin")).isEmpty();
    }

    @Test
    void onlyTheRaftPackageReadsRatisProtobufsOrTheDivision() throws IOException {
        List<String> outside = new ArrayList<>();
        for (String ratisInternal : List.of("org.apache.ratis.proto", "RaftServer", ".division()")) {
            for (String f : filesMentioning(MAIN, ratisInternal)) {
                if (!f.startsWith("raft/")) outside.add(f + " (" + ratisInternal + ")");
            }
        }
        assertThat(outside).isEmpty();
    }
}
