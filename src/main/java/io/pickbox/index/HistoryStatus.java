package io.pickbox.index;

/**
 * The history's settings and what it holds, as committed: versions are kept {@code days} days
 * within {@code maxBytes} ({@code maxBytesSetting} 0 means relative to the folder's size, and
 * {@code maxBytes} is what that comes to now); {@code bytes} is what the chunks only old versions
 * reference add up to; {@code restorableSince} is the earliest time a restore may ask for.
 */
public record HistoryStatus(int days, long maxBytesSetting, long maxBytes, long bytes, long versions,
                            long restorableSince, long committedTime) {

    public boolean enabled() {
        return days > 0;
    }
}
