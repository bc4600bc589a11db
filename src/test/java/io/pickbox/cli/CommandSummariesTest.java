package io.pickbox.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command list (`pickbox --help`, `pickbox history --help`) shows each subcommand's first line
 * of description only: that line has to be a whole sentence, or the list cuts one off mid-way.
 */
class CommandSummariesTest {

    @Test
    void everyCommandListShowsWholeSentences() {
        List<String> cut = new ArrayList<>();
        collect(new CommandLine(new Main()), cut);
        assertThat(cut).as("commands whose summary in their parent's list is not a whole sentence").isEmpty();
    }

    @Test
    void theListsAreWalked() {
        List<String> names = new ArrayList<>();
        walk(new CommandLine(new Main()), names);
        assertThat(names).contains("pickbox history purge", "pickbox trash ls", "pickbox cluster invite", "pickbox restore");
    }

    private static void collect(CommandLine cl, List<String> cut) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            String[] summary = sub.getCommandSpec().usageMessage().description();
            String first = summary.length == 0 ? "" : summary[0].strip();
            if (!first.endsWith(".")) cut.add(sub.getCommandSpec().qualifiedName() + ": " + first);
            collect(sub, cut);
        }
    }

    private static void walk(CommandLine cl, List<String> names) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            names.add(sub.getCommandSpec().qualifiedName());
            walk(sub, names);
        }
    }
}
