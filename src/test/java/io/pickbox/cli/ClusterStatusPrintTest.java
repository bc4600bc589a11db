package io.pickbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterStatusPrintTest {

    private static String render(String json, Map<String, Long> firstLag) throws Exception {
        JsonNode s = new ObjectMapper().readTree(json);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ClusterCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), s, firstLag);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsAProgressBarForALargeFileInTransfer() throws Exception {
        String out = render("""
                {"node":"node1","role":"leader","leader":"node1","term":2,"commitIndex":10,"appliedIndex":10,"healthy":true,
                 "members":[{"id":"node1","address":"127.0.0.1:8001","role":"leader","reachable":true,"commitIndex":10,"lag":0,"self":true}],
                 "files":1,"bytes":0,"pending":1,"conflicts":0,
                 "transfers":[{"path":"videos/big.bin","direction":"sending","done":536870912,"total":1073741824}]}
                """, new HashMap<>());
        assertThat(out).contains("sending videos/big.bin").contains("[##########..........]").contains(" 50%")
                .contains("512.0 MiB of 1.0 GiB");
    }

    @Test
    void showsAProgressBarWhileAMemberCatchesUp() throws Exception {
        Map<String, Long> firstLag = new HashMap<>();
        String member = """
                {"node":"node1","role":"leader","leader":"node1","term":2,"commitIndex":100,"appliedIndex":100,"healthy":true,
                 "members":[{"id":"node4","address":"127.0.0.1:8004","role":"follower","reachable":true,"commitIndex":%d,"lag":%d}],
                 "files":1,"bytes":0,"pending":0,"conflicts":0,"transfers":[]}
                """;
        render(String.format(member, 0, 100), firstLag);
        assertThat(render(String.format(member, 75, 25), firstLag)).contains("75% catching up");
    }

    @Test
    void listsMassChangesWithTheCommandThatUndoesEach() throws Exception {
        String out = render("""
                {"node":"node2","role":"follower","leader":"node1","term":2,"commitIndex":10,"appliedIndex":10,"healthy":true,
                 "members":[],"files":1,"bytes":0,"pending":0,"conflicts":0,"transfers":[],
                 "massChanges":[{"type":"mass-change","node":"node1","deleted":1500,"rewritten":0,
                   "since":"2026-12-05T10:00:01.500Z","prefix":"docs/old","path":"docs/old","at":"2026-12-05T10:00:00.500Z",
                   "undo":"pickbox restore docs/old --at \\"2026-12-05T10:00:00.500Z\\""}]}
                """, null);
        assertThat(out).contains("MASS CHANGES")
                .contains("2026-12-05T10:00:01.500Z  node1 deleted 1500, rewrote 0 file(s) under docs/old")
                .contains("    pickbox restore docs/old --at \"2026-12-05T10:00:00.500Z\"");
        assertThat(render("""
                {"node":"node2","role":"follower","leader":"node1","healthy":true,"members":[],"massChanges":[]}
                """, null)).doesNotContain("MASS CHANGES");
    }

    @Test
    void listsTheNamesNotReplicatedWithTheirControlCharactersEscaped() throws Exception {
        String out = render("""
                {"node":"node1","role":"leader","leader":"node1","term":2,"commitIndex":10,"appliedIndex":10,"healthy":true,
                 "members":[],"files":1,"bytes":0,"pending":0,"conflicts":0,"transfers":[],
                 "notReplicated":{"caf\uFFFD.txt":"its name is not valid UTF-8; rename it to be replicated",
                                  "red\\u001b[31m\\nname":"control character at index 3"}}
                """, null);
        assertThat(out).contains("not replicated: caf\uFFFD.txt (its name is not valid UTF-8; rename it to be replicated)")
                .contains("not replicated: red\\u001B[31m\\u000Aname (control character at index 3)")
                .doesNotContain("\u001b");
    }
}
