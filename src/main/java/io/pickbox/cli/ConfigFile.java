package io.pickbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code --config FILE}: the options of any command read from a file, so a machine's node runs
 * from a file an operator edits (and a secret need not appear on the command line, where every
 * local user sees it). The file is a {@link Properties} file whose keys are option names without
 * the leading dashes ({@code node-id = node1}, {@code insecure = true}); a flag given on the command
 * line wins over the file. A key that names no option of the command is refused rather than
 * ignored: a misspelt {@code admin-hots} silently falling back to the default is how a node ends
 * up listening somewhere nobody meant.
 *
 * <p>The values are picocli default values (this is its {@link CommandLine.IDefaultValueProvider}),
 * so every option of every command takes them with its own type conversion, and required options
 * are satisfied by them. The file must be known before parsing starts, so {@link #execute} finds
 * {@code --config} in the arguments first; the option is also declared on every command, for
 * {@code --help} and so that picocli accepts it.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {

    static final String OPTION = "--config";
    private static final String KEY = OPTION.substring(2);

    private final Path file;
    private final Properties values;

    private ConfigFile(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /** @throws IOException a missing or unreadable file, or one that is not a properties file */
    static ConfigFile read(Path file) throws IOException {
        Properties values = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(in);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a valid config file: " + e.getMessage(), e);
        }
        return new ConfigFile(file, values);
    }

    /**
     * Runs {@code cl} on {@code args}, with the options of the file named by {@code --config} when
     * there is one. Returns the exit code: 2 for a config file that cannot be read or names an
     * option the command does not have.
     */
    static int execute(CommandLine cl, String... args) {
        declareOption(cl, new IdentityHashMap<>());
        Path path;
        try {
            path = find(args);
        } catch (IllegalArgumentException e) {
            cl.getErr().println("pickbox: " + e.getMessage());
            return 2;
        }
        if (path == null) return cl.execute(args);
        ConfigFile config;
        try {
            config = read(path);
        } catch (IOException e) {
            cl.getErr().println("pickbox: cannot read config file " + path + ": " + describe(e));
            return 2;
        }
        cl.setDefaultValueProvider(config);
        // picocli expands ${...} in default values, and its escape cannot give every text back: off
        // while parsing, a value (a token) is taken as written; on again for the help texts.
        cl.setInterpolateVariables(false);
        CommandLine.IParameterExceptionHandler refuse = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, a) -> {
            cl.setInterpolateVariables(true);
            return refuse.handleParseException(e, a);
        });
        CommandLine.IExecutionStrategy run = cl.getExecutionStrategy();
        cl.setExecutionStrategy(parsed -> {
            cl.setInterpolateVariables(true);
            CommandSpec command = leaf(parsed).commandSpec();
            List<String> unknown = config.unknownKeys(command);
            if (!unknown.isEmpty()) {
                command.commandLine().getErr().println("pickbox: config file " + path + ": "
                        + (unknown.size() == 1 ? "unknown option '" : "unknown options '") + String.join("', '", unknown)
                        + "' (not an option of `" + command.qualifiedName() + "`; see --help)");
                return 2;
            }
            return run.execute(parsed);
        });
        return cl.execute(args);
    }

    /**
     * The file named by {@code --config FILE} or {@code --config=FILE} before any {@code --}; null
     * without one.
     *
     * @throws IllegalArgumentException {@code --config} with no file after it
     */
    static Path find(String... args) {
        for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].startsWith(OPTION + "=")) return Path.of(args[i].substring(OPTION.length() + 1));
            if (args[i].equals(OPTION)) {
                if (i + 1 == args.length || args[i + 1].isEmpty()) throw new IllegalArgumentException(OPTION + " needs a FILE");
                return Path.of(args[i + 1]);
            }
        }
        return null;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!arg.isOption() || !settable((OptionSpec) arg)) return null;
        for (String name : ((OptionSpec) arg).names()) {
            String value = name.startsWith("--") ? values.getProperty(name.substring(2)) : null;
            // Properties keeps blanks at the end of a value; nobody means them in a port or a path.
            if (value != null) return value.strip();
        }
        return null;
    }

    /** The keys of the file that name no option of {@code command}, in the file's order of names. */
    List<String> unknownKeys(CommandSpec command) {
        Set<String> known = new java.util.HashSet<>();
        for (OptionSpec o : command.options()) {
            if (!settable(o)) continue;
            for (String name : o.names()) if (name.startsWith("--")) known.add(name.substring(2));
        }
        List<String> unknown = new ArrayList<>();
        for (String key : values.stringPropertyNames()) if (!known.contains(key)) unknown.add(key);
        unknown.sort(null);
        return unknown;
    }

    /** Help, version and the config file itself are asked for on the command line, never in a file. */
    private static boolean settable(OptionSpec o) {
        return !o.usageHelp() && !o.versionHelp() && !o.longestName().equals(OPTION);
    }

    @Override
    public String toString() {
        return "config file " + file;
    }

    /** Declares {@code --config} on every command that runs something (not on groups of commands that only hold others, not on help). */
    private static void declareOption(CommandLine cl, Map<CommandLine, Boolean> seen) {
        if (seen.put(cl, Boolean.TRUE) != null) return;
        Map<String, CommandLine> subcommands = cl.getSubcommands();
        boolean runs = cl.getCommand() instanceof java.util.concurrent.Callable<?> || cl.getCommand() instanceof Runnable;
        if (subcommands.isEmpty() || runs) {
            CommandSpec spec = cl.getCommandSpec();
            if (!(cl.getCommand() instanceof CommandLine.HelpCommand) && spec.findOption(OPTION) == null) {
                spec.addOption(OptionSpec.builder(OPTION).paramLabel("FILE").type(Path.class)
                        .description("Read options from FILE: `name = value` lines, names without the dashes"
                                + " (options given here win).").build());
            }
            if (subcommands.isEmpty()) return;
        }
        for (CommandLine sub : subcommands.values()) declareOption(sub, seen);
    }

    private static ParseResult leaf(ParseResult parsed) {
        while (parsed.hasSubcommand()) parsed = parsed.subcommand();
        return parsed;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
