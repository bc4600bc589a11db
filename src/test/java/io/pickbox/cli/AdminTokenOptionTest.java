package io.pickbox.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin token from a file only its owner and group may read, or from the environment. */
class AdminTokenOptionTest {

    @TempDir
    Path dir;

    private Path file(String content, String mode) throws Exception {
        Path f = Files.writeString(dir.resolve("token-" + mode), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void aPrivateFileIsReadAndTrimmed() throws Exception {
        assertThat(AdminTokenOption.read(file("  tok-600\n", "rw-------"), Map.of())).isEqualTo("tok-600");
        assertThat(AdminTokenOption.read(file("tok-640\n", "rw-r-----"), Map.of())).isEqualTo("tok-640");
        assertThat(AdminTokenOption.read(file("tok-400", "r--------"), Map.of())).isEqualTo("tok-400");
    }

    @Test
    void aFileOthersMayReadIsRefused() throws Exception {
        Path open = file("tok", "rw-r--r--");
        assertThatThrownBy(() -> AdminTokenOption.read(open, Map.of()))
                .hasMessageContaining(open.toString()).hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> AdminTokenOption.read(file("tok", "rw-rw--w-"), Map.of())).hasMessageContaining("chmod 600");
    }

    @Test
    void aMissingOrEmptyFileIsRefused() throws Exception {
        assertThatThrownBy(() -> AdminTokenOption.read(dir.resolve("absent"), Map.of())).hasMessageContaining("no such file");
        assertThatThrownBy(() -> AdminTokenOption.read(file(" \n", "rw-------"), Map.of())).hasMessageContaining("is empty");
    }

    @Test
    void theEnvironmentGivesTheTokenWhenNoFileDoes() throws Exception {
        Map<String, String> env = Map.of(AdminTokenOption.ENV, "from-env\n");
        assertThat(AdminTokenOption.read(null, env)).isEqualTo("from-env");
        assertThat(AdminTokenOption.read(null, Map.of())).isNull();
        assertThat(AdminTokenOption.read(null, Map.of(AdminTokenOption.ENV, " "))).isNull();
        // A file named on the command line is the more deliberate choice.
        assertThat(AdminTokenOption.read(file("from-file", "rw-------"), env)).isEqualTo("from-file");
    }

    @Test
    void clientCommandsTakeTheSameOptions() throws Exception {
        ClusterCommand.Status status = new ClusterCommand.Status();
        status.token.env = Map.of();
        new picocli.CommandLine(status).parseArgs("--admin-token-file", file("cli-token\n", "rw-------").toString());
        assertThat(status.token.token()).isEqualTo("cli-token");
        assertThatThrownBy(() -> new picocli.CommandLine(new ClusterCommand.Status()).parseArgs("--admin-token", "x"))
                .hasMessageContaining("--admin-token-file");
    }
}
