package io.pickbox.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;

/**
 * A time as a person types it after {@code --at} or {@code --before}, and as the CLI shows one.
 * Without a zone or offset a time is in the CLI's own zone: {@code 2026-12-04 10:15},
 * {@code 2026-12-04 10:15:30}, {@code 2026-12-04T10:15}, or a date, {@code 2026-11-01}, for the
 * start of that day. With one it is that instant: {@code 2026-12-04T10:15:03Z},
 * {@code 2026-12-04T10:15:03+01:00}. The node is sent epoch milliseconds, so its zone never matters.
 */
final class TimeArgument {

    static final String FORMATS = "2026-12-04 10:15, 2026-12-04 10:15:30, 2026-11-01 (the start of that day), "
            + "local time; or 2026-12-04T10:15:03Z, 2026-12-04T10:15:03+01:00";

    /** Date, a space, then HH:mm with optional seconds and fraction. */
    private static final DateTimeFormatter SPACED = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .toFormatter(Locale.ROOT).withChronology(IsoChronology.INSTANCE).withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

    private TimeArgument() {}

    /**
     * Epoch milliseconds of {@code text}, local times in {@code zone} (a time a change of clocks
     * skips is moved forward by the gap; one it repeats is the earlier of the two).
     *
     * @throws IllegalArgumentException text in none of the formats, with the formats that are read
     */
    static long parse(String text, ZoneId zone) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.length() == 10) return LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay(zone).toInstant().toEpochMilli();
            if (t.length() > 10 && t.charAt(10) == ' ') return LocalDateTime.parse(t, SPACED).atZone(zone).toInstant().toEpochMilli();
            try {
                return ZonedDateTime.parse(t, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException noZone) {
                return LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(zone).toInstant().toEpochMilli();
            }
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("cannot read the time \"" + text + "\": use " + FORMATS);
        }
    }

    /** {@code millis} as a local time, "2026-12-04 10:15:03"; "-" for 0 (not known). */
    static String show(long millis, ZoneId zone) {
        return millis <= 0 ? "-" : SHOWN.format(Instant.ofEpochMilli(millis).atZone(zone));
    }

    /** An ISO-8601 time from the admin API ("2026-12-04T10:15:03.250Z") as a local time; "-" for none. */
    static String show(String iso, ZoneId zone) {
        if (iso == null || iso.isEmpty() || iso.equals("null")) return "-";
        try {
            return show(Instant.parse(iso).toEpochMilli(), zone);
        } catch (DateTimeParseException e) {
            return iso;
        }
    }
}
