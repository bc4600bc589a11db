package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pickbox.folder.InvalidPathException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bodies of restores, history settings and purges: what is accepted, and a clear 400 for the rest. */
class HistoryRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aVersionRestoreNamesThePathTheVersionAndMaybeWhereTo() throws Exception {
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs/a.txt\", \"version\": 12}")))
                .isEqualTo(new HistoryRequests.Restore("docs/a.txt", 12, 0, null));
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs/a.txt\", \"version\": 12, \"to\": \"docs/a.old.txt\"}")))
                .isEqualTo(new HistoryRequests.Restore("docs/a.txt", 12, 0, "docs/a.old.txt"));
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs/a.txt\", \"version\": 12, \"at\": null, \"to\": null}")).ofVersion())
                .isTrue();
    }

    @Test
    void aTreeRestoreTakesMillisOrIsoTimes() throws Exception {
        long t = Instant.parse("2026-12-04T10:15:03.250Z").toEpochMilli();
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs\", \"at\": " + t + "}")))
                .isEqualTo(new HistoryRequests.Restore("docs", 0, t, null));
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs\", \"at\": \"" + t + "\"}")).atMillis()).isEqualTo(t);
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs\", \"at\": \"2026-12-04T10:15:03.250Z\"}")).atMillis()).isEqualTo(t);
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs\", \"at\": \"2026-12-04T11:15:03.250+01:00\"}")).atMillis()).isEqualTo(t);
        assertThat(HistoryRequests.restore(json("{\"path\": \"docs\", \"at\": \"2026-12-04T11:15:03.250+01:00[Europe/Paris]\"}")).atMillis())
                .isEqualTo(t);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "."})
    void theWholeFolderIsTheEmptyPath(String path) throws Exception {
        assertThat(HistoryRequests.restore(json("{\"path\": \"" + path + "\", \"at\": 1000}")).path()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                                    | 'path' (a string",
            "{\"path\": 5, \"version\": 1}                         | 'path' (a string",
            "{\"path\": \"a\"}                                     | give 'version'",
            "{\"path\": \"a\", \"version\": 1, \"at\": 5}          | not both",
            "{\"path\": \"a\", \"version\": 0}                     | positive whole number",
            "{\"path\": \"a\", \"version\": -3}                    | positive whole number",
            "{\"path\": \"a\", \"version\": 1.5}                   | positive whole number",
            "{\"path\": \"a\", \"version\": \"7\"}                 | positive whole number",
            "{\"path\": \"\", \"version\": 7}                      | name the file or directory",
            "{\"path\": \"a\", \"at\": 5, \"to\": \"b\"}           | cannot be used with 'at'",
            "{\"path\": \"a\", \"version\": 1, \"to\": \"\"}       | 'to' must be a path",
            "{\"path\": \"a\", \"version\": 1, \"to\": 3}          | 'to' must be a path",
            "{\"path\": \"a\", \"at\": \"yesterday\"}              | ISO-8601",
            "{\"path\": \"a\", \"at\": \"2026-12-04 10:15\"}       | ISO-8601",
            "{\"path\": \"a\", \"at\": \"2026-12-04T10:15:00\"}    | with an offset",
            "{\"path\": \"a\", \"at\": 0}                          | after 1970",
            "{\"path\": \"a\", \"at\": -5}                         | after 1970",
            "{\"path\": \"a\", \"at\": true}                       | epoch milliseconds",
            "{\"path\": \"a\", \"at\": 12.5}                       | epoch milliseconds",
            "{\"path\": \"a\", \"version\": 1, \"verison\": 2}     | unknown field 'verison'",
    })
    void aBadRestoreIsA400ThatSaysWhy(String body, String says) throws Exception {
        assertThatThrownBy(() -> HistoryRequests.restore(json(body)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status).isEqualTo(400))
                .hasMessageContaining(says.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "/etc/passwd", "a/../../b", "docs/", "a\u0000b"})
    void aPathOutsideTheFolderIsRefused(String path) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("path", path, "version", 1));
        assertThatThrownBy(() -> HistoryRequests.restore(json(body))).isInstanceOf(InvalidPathException.class);
        String to = JSON.writeValueAsString(java.util.Map.of("path", "a", "version", 1, "to", path));
        assertThatThrownBy(() -> HistoryRequests.restore(json(to))).isInstanceOf(InvalidPathException.class);
    }

    @Test
    void settingsChangeEitherOrBoth() throws Exception {
        assertThat(HistoryRequests.settings(json("{\"days\": 7}"))).isEqualTo(new HistoryRequests.Settings(7, -1));
        assertThat(HistoryRequests.settings(json("{\"maxBytes\": 0}"))).isEqualTo(new HistoryRequests.Settings(-1, 0));
        assertThat(HistoryRequests.settings(json("{\"days\": 0, \"maxBytes\": 1073741824}")))
                .isEqualTo(new HistoryRequests.Settings(0, 1L << 30));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                          | give 'days', 'maxBytes' or both",
            "{\"days\": -1}              | 'days' must be",
            "{\"days\": 36501}           | 'days' must be",
            "{\"days\": \"30\"}          | 'days' must be",
            "{\"maxBytes\": -1}          | 'maxBytes' must be",
            "{\"maxBytes\": 1e3}         | 'maxBytes' must be",
            "{\"days\": 3, \"keep\": 1}  | unknown field 'keep'",
    })
    void badSettingsAreA400(String body, String says) throws Exception {
        assertThatThrownBy(() -> HistoryRequests.settings(json(body)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status).isEqualTo(400))
                .hasMessageContaining(says.trim());
    }

    @Test
    void aPurgeNeedsATime() throws Exception {
        assertThat(HistoryRequests.purgeBefore(json("{\"before\": \"2026-11-01T00:00:00Z\"}")))
                .isEqualTo(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
        assertThat(HistoryRequests.purgeBefore(json("{\"before\": 1234}"))).isEqualTo(1234);
        assertThatThrownBy(() -> HistoryRequests.purgeBefore(json("{}"))).hasMessageContaining("'before' (a time) is required");
        assertThatThrownBy(() -> HistoryRequests.purgeBefore(json("{\"before\": \"soon\"}"))).hasMessageContaining("ISO-8601");
    }

    @Test
    void trashCursorsAreThoseAnsweredBefore() {
        assertThat(HistoryRoutes.cursor(null)).isNull();
        assertThat(HistoryRoutes.cursor("")).isNull();
        assertThat(HistoryRoutes.cursor("1764930000000:12:docs/a b.txt")).isEqualTo("1764930000000:12:docs/a b.txt");
        for (String bad : new String[] {"docs/a.txt", "12:docs/a.txt", "x:1:a", "1:2:../a", "1:2:", "99999999999999999999:1:a"}) {
            assertThatThrownBy(() -> HistoryRoutes.cursor(bad)).as(bad)
                    .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status).isEqualTo(400));
        }
    }

    @Test
    void timesAreAnsweredInUtcWithMillis() {
        assertThat(HistoryRoutes.time(0)).isNull();
        assertThat(HistoryRoutes.time(Instant.parse("2026-12-04T10:15:03Z").toEpochMilli())).isEqualTo("2026-12-04T10:15:03.000Z");
        assertThat(HistoryRoutes.time(Instant.parse("2026-12-04T10:15:03.007Z").toEpochMilli())).isEqualTo("2026-12-04T10:15:03.007Z");
    }
}
