package io.pickbox.cli;

import io.pickbox.folder.FolderComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare folders: paths, types, content hashes and the executable bit.",
                "Exits 0 when they are identical, 1 and lists the differences otherwise.",
                "The folders are walked in step, a directory at a time, and differences are printed as they are found."})
final class VerifyCommand implements Callable<Integer> {

    @Parameters(arity = "2..*", paramLabel = "DIR", description = "Two or more folders.")
    List<Path> dirs;

    @Override
    public Integer call() throws Exception {
        long differences = FolderComparison.compare(dirs, d -> System.out.println(d.path() + ": " + d.description()));
        if (differences == 0) {
            System.out.println("identical: " + dirs.size() + " folders");
            return 0;
        }
        System.out.println(differences + " difference(s)");
        return 1;
    }
}
