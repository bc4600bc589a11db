package io.pickbox.cli;

import io.pickbox.folder.FolderComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare folders: paths, types, content hashes and the executable bit.",
                "Exits 0 when they are identical, 1 and lists the differences otherwise."})
final class VerifyCommand implements Callable<Integer> {

    @Parameters(arity = "2..*", paramLabel = "DIR", description = "Two or more folders.")
    List<Path> dirs;

    @Override
    public Integer call() throws Exception {
        List<FolderComparison.Difference> diffs = FolderComparison.compare(dirs);
        if (diffs.isEmpty()) {
            System.out.println("identical: " + dirs.size() + " folders");
            return 0;
        }
        for (var d : diffs) System.out.println(d.path() + ": " + d.description());
        System.out.println(diffs.size() + " difference(s)");
        return 1;
    }
}
