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
        for (CommandLine sub : subcommands(new CommandLine(new Main()))) {
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            String[] summary = sub.getCommandSpec().usageMessage().description();
            String first = summary.length == 0 ? "" : summary[0].strip();
            if (!first.endsWith(".")) cut.add(sub.getCommandSpec().qualifiedName() + ": " + first);
        }
        assertThat(cut).as("commands whose summary in their parent's list is not a whole sentence").isEmpty();
    }

    @Test
    void theListsAreWalked() {
        List<String> names = subcommands(new CommandLine(new Main())).stream()
                .map(c -> c.getCommandSpec().qualifiedName()).toList();
        assertThat(names).contains("pickbox history purge", "pickbox trash ls", "pickbox cluster invite", "pickbox restore");
    }

    /** Every command below {@code cl}, at any depth, parents before their children. */
    private static List<CommandLine> subcommands(CommandLine cl) {
        List<CommandLine> all = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            all.add(sub);
            all.addAll(subcommands(sub));
        }
        return all;
    }
}
