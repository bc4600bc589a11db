package io.pickbox.raft;

import java.util.function.LongSupplier;

/**
 * The time a leader stamps on the entries it appends: its wall clock, never behind a stamp it gave
 * before nor behind the cluster's committed time (a new leader whose clock is behind the last
 * one's goes on from the committed time instead of going back).
 */
final class LeaderClock {
    private final LongSupplier wallClock;
    private final LongSupplier committedTime;
    private long last;

    LeaderClock(LongSupplier wallClock, LongSupplier committedTime) {
        this.wallClock = wallClock;
        this.committedTime = committedTime;
    }

    synchronized long next() {
        last = Math.max(Math.max(wallClock.getAsLong(), committedTime.getAsLong()), last);
        return last;
    }
}
