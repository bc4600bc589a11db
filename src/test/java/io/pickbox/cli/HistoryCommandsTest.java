package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code history}, {@code restore} and {@code trash}: their tables, and usage errors found before any node is asked. */
class HistoryCommandsTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** Nothing listens here: a command that got as far as asking would fail with 1, not 2. */
    private static final String NOWHERE = "127.0.0.1:1";

    private static String render(java.util.function.Consumer<PrintStream> print) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        print.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void historyIsATableOfVersionsAndWhatHappenedToThem() throws Exception {
        JsonNode answer = new ObjectMapper().readTree("""
                {"path":"docs/report.txt","versions":[
                 {"version":40,"current":true,"committedAt":"2026-12-04T09:20:00.000Z","size":12,"sha256":"0123456789abcdef0123",
                  "mode":"0644","kind":"file","node":"node1","ending":"current","endedAt":null,"endedBy":null,"movedTo":null},
                 {"version":31,"current":false,"committedAt":"2026-12-04T09:16:00.000Z","size":10,"sha256":"fedcba9876543210fedc",
                  "mode":"0644","kind":"file","node":"node3","ending":"edited","endedAt":"2026-12-04T09:20:00.000Z","endedBy":"node2","movedTo":null},
                 {"version":12,"current":false,"committedAt":"2026-12-04T09:15:03.000Z","size":8,"sha256":"aaaaaaaaaaaaaaaaaaaa",
                  "mode":"0644","kind":"file","node":"node3","ending":"moved","endedAt":"2026-12-04T09:15:30.000Z","endedBy":"node1","movedTo":"docs/x.txt"},
                 {"version":3,"current":false,"committedAt":null,"size":0,"sha256":null,
                  "mode":"0755","kind":"dir","node":"node1","ending":"deleted","endedAt":"2026-12-04T09:15:00.000Z","endedBy":"node1","movedTo":null}]}
                """);
        String out = render(o -> HistoryCommand.print(o, answer, PARIS));
        assertThat(out.lines()).hasSize(6);
        assertThat(out).contains("VERSION").contains("WHAT HAPPENED");
        assertThat(out.lines().toList().get(2)).contains("40", "2026-12-04 10:20:00", "12", "0123456789ab", "node1", "current")
                .doesNotContain("0123456789abc");
        assertThat(out.lines().toList().get(3)).contains("31", "node3", "edited by node2 at 2026-12-04 10:20:00");
        assertThat(out.lines().toList().get(4)).contains("moved to docs/x.txt by node1 at 2026-12-04 10:15:30");
        assertThat(out.lines().toList().get(5)).contains("dir", "deleted by node1 at 2026-12-04 10:15:00");
    }

    @Test
    void trashListsWhenByWhomAndTheVersionToRestore() throws Exception {
        JsonNode page = new ObjectMapper().readTree("""
                {"entries":[{"path":"docs/old.txt","version":77,"deletedAt":"2026-12-04T09:15:00.000Z","node":"node2","size":1234,"kind":"file"}],
                 "next":"1:2:docs/older.txt"}
                """);
        String out = render(o -> TrashCommand.print(o, page, PARIS));
        assertThat(out).contains("2026-12-04 10:15:00", "node2", "1234", "77", "docs/old.txt", "more");
    }

    @Test
    void aRestoreSaysWhatItDid() throws Exception {
        JsonNode r = new ObjectMapper().readTree("{\"restored\":10000,\"unchanged\":1,\"kept\":2,\"newer\":3,\"conflicts\":4}");
        assertThat(RestoreCommand.describe(r))
                .isEqualTo("restored 10000, unchanged 1, kept 2 (changed since), left 3 (created after), conflicts 4");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "restore docs/a.txt",
            "restore docs/a.txt --version 3 --at 2026-12-04",
            "restore docs --at yesterday",
            "restore docs --at 2026-12-04 --to other",
            "restore docs/a.txt --version 0",
            "restore docs/a.txt --version x",
            "restore ../a.txt --version 3",
            "restore docs/a.txt --version 3 --to ../b",
            "history",
            "history ../x",
            "history docs/a.txt --limit 0",
            "history purge",
            "history purge --before soon",
            "history settings --max-bytes lots",
            "history settings --days -1",
            "trash ls --limit 0",
            "trash ls ../x",
    })
    void usageErrorsExit2BeforeAnyNodeIsAsked(String args) {
        String[] argv = (args + " --admin " + NOWHERE).split(" ");
        assertThat(Main.run(argv)).as(args).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"history --help", "history purge --help", "history settings --help", "restore --help", "restore -h",
            "trash --help", "trash ls --help"})
    void helpExitsZero(String args) {
        assertThat(Main.run(args.split(" "))).as(args).isZero();
    }

    @Test
    void aNodeThatCannotBeReachedIsAFailureNotAUsageError() {
        assertThat(Main.run("restore", "docs", "--at", "2026-12-04 10:15", "--admin", NOWHERE)).isEqualTo(1);
        assertThat(Main.run("history", "docs/a.txt", "--admin", NOWHERE)).isEqualTo(1);
    }
}
