package io.pickbox.admin;

/** The last admin request or membership change that failed on this node, for the status report. */
final class LastError {

    private volatile String last;

    void set(String error) {
        last = error;
    }

    String get() {
        return last;
    }
}
