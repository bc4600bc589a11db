package io.pickbox.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where the admin API's token comes from, for the node and for every command that talks to one: a
 * file only its owner (and group) may read, or the environment. Never a command-line argument,
 * which every local user sees in {@code ps}.
 */
final class AdminTokenOption {

    static final String ENV = "PICKBOX_ADMIN_TOKEN";
    static final String NO_ARGUMENT = "--admin-token is not accepted: a command line is visible to every local user (ps);"
            + " use --admin-token-file FILE or the environment variable " + ENV;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = {"File holding the admin API's bearer token (or set " + ENV + ").",
                    "It must not be readable by other users (chmod 600)."})
    Path file;

    /** The environment the token may come from; replaced in tests. */
    Map<String, String> env = System.getenv();

    @Option(names = "--admin-token", hidden = true, paramLabel = "TOKEN")
    void refuseArgument(String ignored) {
        throw new ParameterException(mixee.commandLine(), NO_ARGUMENT);
    }

    /** The token from the file if one was given, else from the environment; null if neither. */
    String token() {
        try {
            return read(file, env);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    static String read(Path file, Map<String, String> env) {
        if (file == null) {
            String value = env.get(ENV);
            return value == null || value.isBlank() ? null : value.strip();
        }
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("admin token file " + file + ": no such file");
        refuseIfOthersMayRead(file);
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("admin token file " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        if (token.isEmpty()) throw new IllegalArgumentException("admin token file " + file + " is empty");
        return token;
    }

    private static void refuseIfOthersMayRead(Path file) {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new IllegalArgumentException("admin token file " + file + ": cannot read its mode (" + e.getMessage() + ")");
        }
        if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalArgumentException("admin token file " + file + " is " + PosixFilePermissions.toString(mode)
                    + ": every user of this machine may read or change it; restrict it with chmod 600 " + file);
        }
    }
}
