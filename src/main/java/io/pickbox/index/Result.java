package io.pickbox.index;

/**
 * What apply decided for one op; every node decides the same. {@code path} is where the change
 * landed (a conflict copy's name for CONFLICT), {@code version} the entry's version afterwards
 * (0 when the path is gone).
 */
public record Result(Status status, String path, long version, String detail) {

    public enum Status {
        /** The change is committed at its path. */
        APPLIED,
        /** The index already holds this content: nothing changed. */
        NOOP,
        /** Lost to a concurrent change: committed under a conflict copy name. */
        CONFLICT,
        /** Lost to a concurrent change and dropped (a delete or mode change of an edited file). */
        SUPERSEDED,
        /** Refused with a reason (a case collision, a missing rename source, a bad path). */
        REJECTED,
        /** This origin sequence was applied before: a retry. */
        DUPLICATE
    }

    public static Result applied(String path, long version) {
        return new Result(Status.APPLIED, path, version, null);
    }

    public static Result rejected(String path, String reason) {
        return new Result(Status.REJECTED, path, 0, reason);
    }

    public boolean changedIndex() {
        return status == Status.APPLIED || status == Status.CONFLICT;
    }
}
