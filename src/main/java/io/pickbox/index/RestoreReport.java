package io.pickbox.index;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a restore did: paths given back their old version, paths that already had it, paths kept
 * because they changed after the restore was asked for, paths left because they did not exist at
 * that time, and restored versions committed as conflict copies. {@code next} is where apply
 * stopped when it restored as many paths as one op may (null: done).
 */
public record RestoreReport(long restored, long unchanged, long kept, long newer, long conflicts, String next) {

    public static final RestoreReport NONE = new RestoreReport(0, 0, 0, 0, 0, null);

    private static final Pattern DETAIL = Pattern.compile(
            "restored (\\d+), unchanged (\\d+), kept (\\d+) \\(changed since\\), left (\\d+) \\(created after\\), conflicts (\\d+)(?:; more after: (.*))?",
            Pattern.DOTALL);

    /** Both parts of one restore, {@code later}'s place to go on. */
    public RestoreReport plus(RestoreReport later) {
        return new RestoreReport(restored + later.restored, unchanged + later.unchanged, kept + later.kept,
                newer + later.newer, conflicts + later.conflicts, later.next);
    }

    /** The report as a result's detail: human text that {@link #fromDetail} reads back. */
    public String toDetail() {
        return "restored " + restored + ", unchanged " + unchanged + ", kept " + kept + " (changed since), left " + newer
                + " (created after), conflicts " + conflicts + (next != null ? "; more after: " + next : "");
    }

    /** The report in a restore's result detail, or null if the detail is not one. */
    public static RestoreReport fromDetail(String detail) {
        if (detail == null) return null;
        Matcher m = DETAIL.matcher(detail);
        if (!m.matches()) return null;
        return new RestoreReport(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), m.group(6));
    }
}
