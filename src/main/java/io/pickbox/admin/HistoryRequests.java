package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.pickbox.folder.PathValidator;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * The bodies of the history endpoints' changes ({@code POST /v1/restore}, {@code /v1/history/settings},
 * {@code /v1/history/purge}), read and checked before anything is proposed: a bad one is a 400 that
 * says what is wrong, and changes nothing. Times are epoch milliseconds or ISO-8601 text with an
 * offset; a time without one would mean the server's zone, which the client cannot know.
 */
final class HistoryRequests {

    /** Far enough for anyone's retention, small enough that days in milliseconds cannot overflow. */
    static final int MAX_DAYS = 36_500;

    private HistoryRequests() {}

    /**
     * A restore: of one version ({@code version} > 0, to {@code to} or null for its own path), or of
     * the tree at {@code path} ("" for the whole folder) as it was at {@code atMillis}.
     */
    record Restore(String path, long version, long atMillis, String to) {
        boolean ofVersion() {
            return version > 0;
        }
    }

    /** New history settings; -1 leaves one as it is. */
    record Settings(int days, long maxBytes) {}

    static Restore restore(JsonNode body) {
        onlyFields(body, Set.of("path", "version", "at", "to"));
        JsonNode pathField = body.get("path");
        if (pathField == null || !pathField.isTextual()) {
            throw bad("'path' (a string: a file or directory of the folder, \"\" for all of it) is required");
        }
        String path = folderPath(pathField.asText());
        JsonNode versionField = body.get("version");
        JsonNode atField = body.get("at");
        boolean hasVersion = present(versionField);
        boolean hasAt = present(atField);
        if (hasVersion == hasAt) {
            throw bad(hasVersion ? "give 'version' or 'at', not both"
                    : "give 'version' (one of GET /v1/history/PATH) or 'at' (a time) to say what to restore");
        }
        JsonNode toField = body.get("to");
        String to = null;
        if (present(toField)) {
            if (hasAt) throw bad("'to' restores one version elsewhere: it cannot be used with 'at'");
            if (!toField.isTextual() || toField.asText().isEmpty()) throw bad("'to' must be a path of the folder");
            to = PathValidator.normalize(toField.asText());
        }
        if (hasVersion) {
            if (!versionField.isIntegralNumber() || !versionField.canConvertToLong() || versionField.asLong() < 1) {
                throw bad("'version' must be a positive whole number, got " + versionField);
            }
            if (path.isEmpty()) throw bad("a version is of one path: name the file or directory to restore");
            return new Restore(path, versionField.asLong(), 0, to);
        }
        return new Restore(path, 0, instant(atField, "at"), null);
    }

    static Settings settings(JsonNode body) {
        onlyFields(body, Set.of("days", "maxBytes"));
        JsonNode daysField = body.get("days");
        JsonNode bytesField = body.get("maxBytes");
        if (!present(daysField) && !present(bytesField)) throw bad("give 'days', 'maxBytes' or both");
        int days = -1;
        if (present(daysField)) {
            if (!daysField.isIntegralNumber() || !daysField.canConvertToLong() || daysField.asLong() < 0 || daysField.asLong() > MAX_DAYS) {
                throw bad("'days' must be a whole number from 0 (history off) to " + MAX_DAYS + ", got " + daysField);
            }
            days = daysField.asInt();
        }
        long maxBytes = -1;
        if (present(bytesField)) {
            if (!bytesField.isIntegralNumber() || !bytesField.canConvertToLong() || bytesField.asLong() < 0) {
                throw bad("'maxBytes' must be a whole number of bytes, 0 for a cap relative to the folder's size, got " + bytesField);
            }
            maxBytes = bytesField.asLong();
        }
        return new Settings(days, maxBytes);
    }

    /** The time of a purge: versions replaced before it are dropped. */
    static long purgeBefore(JsonNode body) {
        onlyFields(body, Set.of("before"));
        JsonNode before = body.get("before");
        if (!present(before)) throw bad("'before' (a time) is required: versions replaced before it are dropped");
        return instant(before, "before");
    }

    /**
     * A time sent as epoch milliseconds (a number, or a string of digits) or as ISO-8601 text with
     * a zone or offset ({@code 2026-12-04T10:15:03Z}, {@code 2026-12-04T10:15:03+01:00}).
     */
    static long instant(JsonNode value, String field) {
        long millis;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            millis = value.asLong();
        } else if (value.isTextual()) {
            millis = instant(value.asText().trim(), field);
        } else {
            throw bad("'" + field + "' must be epoch milliseconds or an ISO-8601 time such as 2026-12-04T10:15:03Z, got " + value);
        }
        if (millis <= 0) throw bad("'" + field + "' must be after 1970-01-01T00:00:00Z, got " + value);
        return millis;
    }

    private static long instant(String text, String field) {
        if (text.matches("\\d{1,18}")) return Long.parseLong(text);
        try {
            return ZonedDateTime.parse(text, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw bad("'" + field + "' must be epoch milliseconds or an ISO-8601 time with an offset, such as "
                    + "2026-12-04T10:15:03Z or 2026-12-04T10:15:03+01:00, got \"" + text + "\"");
        } catch (ArithmeticException e) {
            throw bad("'" + field + "' is out of range: \"" + text + "\"");
        }
    }

    /** A path of the folder as a restore names it: "", "/" and "." are the whole folder. */
    private static String folderPath(String raw) {
        if (raw.isEmpty() || raw.equals("/") || raw.equals(".")) return "";
        return PathValidator.normalize(raw);
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
    }

    private static void onlyFields(JsonNode body, Set<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw bad("unknown field '" + name + "' (expected: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static ApiError bad(String detail) {
        return new ApiError(400, "bad request", detail);
    }
}
