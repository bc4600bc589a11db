package io.pickbox.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pickbox} command. Exit codes: 0 ok, 1 operation failed, 2 usage error. */
@Command(name = "pickbox", mixinStandardHelpOptions = true, version = "pickbox 0.1.0",
        description = "Keeps one folder identical on every node of a Raft cluster.",
        subcommands = {NodeCommand.class, DemoCommand.class, FilesCommand.class, ClusterCommand.class,
                VerifyCommand.class, WhyCommand.class, HistoryCommand.class, RestoreCommand.class, TrashCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        OutOfMemoryHalt.install();
        // On a 2-core machine the common pool has one thread, and CompletableFuture's *Async calls
        // (Ratis uses them on every append) then start a new thread per task instead.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                    String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("pickbox: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return ConfigFile.execute(cl, args);
    }
}
