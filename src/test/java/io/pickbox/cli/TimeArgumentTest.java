package io.pickbox.cli;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The times {@code --at} and {@code --before} read, and how the CLI shows times. */
class TimeArgumentTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static long millis(String utc) {
        return Instant.parse(utc).toEpochMilli();
    }

    @Test
    void localTimesAreInTheGivenZone() {
        assertThat(TimeArgument.parse("2026-12-04 10:15", PARIS)).isEqualTo(millis("2026-12-04T09:15:00Z"));
        assertThat(TimeArgument.parse("2026-12-04 10:15:30", PARIS)).isEqualTo(millis("2026-12-04T09:15:30Z"));
        assertThat(TimeArgument.parse("2026-12-04 10:15:30.250", PARIS)).isEqualTo(millis("2026-12-04T09:15:30.250Z"));
        assertThat(TimeArgument.parse("2026-12-04T10:15", PARIS)).isEqualTo(millis("2026-12-04T09:15:00Z"));
        assertThat(TimeArgument.parse("  2026-07-04 10:15  ", PARIS)).isEqualTo(millis("2026-07-04T08:15:00Z"));
    }

    @Test
    void aDateIsTheStartOfThatDay() {
        assertThat(TimeArgument.parse("2026-11-01", PARIS)).isEqualTo(millis("2026-10-31T23:00:00Z"));
        assertThat(TimeArgument.parse("2026-11-01", ZoneOffset.UTC)).isEqualTo(millis("2026-11-01T00:00:00Z"));
    }

    @Test
    void aTimeWithAZoneOrOffsetIsThatInstantWhateverTheLocalZone() {
        for (ZoneId zone : new ZoneId[] {PARIS, ZoneOffset.UTC, ZoneId.of("America/Los_Angeles")}) {
            assertThat(TimeArgument.parse("2026-12-04T10:15:03Z", zone)).isEqualTo(millis("2026-12-04T10:15:03Z"));
            assertThat(TimeArgument.parse("2026-12-04T10:15:03.5Z", zone)).isEqualTo(millis("2026-12-04T10:15:03.500Z"));
            assertThat(TimeArgument.parse("2026-12-04T11:15:03+01:00", zone)).isEqualTo(millis("2026-12-04T10:15:03Z"));
            assertThat(TimeArgument.parse("2026-12-04T11:15:03+01:00[Europe/Paris]", zone)).isEqualTo(millis("2026-12-04T10:15:03Z"));
        }
    }

    @Test
    void aLocalTimeTheClocksSkipMovesForward() {
        // 2026-03-29 02:30 does not exist in Paris: clocks go from 02:00 to 03:00.
        assertThat(TimeArgument.parse("2026-03-29 02:30", PARIS)).isEqualTo(millis("2026-03-29T01:30:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-12-04 10", "2026-13-01", "2026-02-30", "2026-12-04 25:00", "04/12/2026",
            "2026-12-04 10:15:03Z", "1764930000000", "2026-12-04T10:15:03 +01:00", "10:15"})
    void anythingElseIsRefusedWithTheFormatsThatWork(String text) {
        assertThatThrownBy(() -> TimeArgument.parse(text, PARIS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read the time \"" + text + "\"").hasMessageContaining("2026-12-04 10:15");
    }

    @Test
    void timesAreShownLocallyToTheSecond() {
        assertThat(TimeArgument.show(millis("2026-12-04T09:15:03.999Z"), PARIS)).isEqualTo("2026-12-04 10:15:03");
        assertThat(TimeArgument.show("2026-12-04T09:15:03.250Z", PARIS)).isEqualTo("2026-12-04 10:15:03");
        assertThat(TimeArgument.show(0, PARIS)).isEqualTo("-");
        assertThat(TimeArgument.show((String) null, PARIS)).isEqualTo("-");
    }

    /** A time as shown is read back to the same second, in any zone. */
    @Property(tries = 300)
    void whatIsShownIsReadBack(@ForAll @LongRange(min = 1, max = 4_102_444_800_000L) long millis,
                               @ForAll("zones") String zoneName) {
        ZoneId zone = ZoneId.of(zoneName);
        String shown = TimeArgument.show(millis, zone);
        long back = TimeArgument.parse(shown, zone);
        LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), zone);
        // In the hour the clocks repeat, the earlier of the two instants is the one read.
        if (zone.getRules().getValidOffsets(local).size() == 1) assertThat(back).isEqualTo(millis - Math.floorMod(millis, 1000));
        else assertThat(TimeArgument.show(back, zone)).isEqualTo(shown);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> zones() {
        return net.jqwik.api.Arbitraries.of("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham");
    }
}
