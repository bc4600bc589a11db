package io.pickbox.admin;

import io.pickbox.index.HistoryStatus;
import io.pickbox.index.HistoryVersion;
import io.pickbox.index.RestoreReport;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the history endpoints read and change: the committed history of the index, and restores and
 * settings committed through consensus. A change completes once this node has applied it; bad
 * input (an unknown version, a time before the history reaches, a path outside the folder) is an
 * {@link IllegalArgumentException} with a message for the person who asked, thrown or failing the
 * future, and changes nothing.
 */
public interface HistoryService {

    /** The versions of {@code path}, newest first (the current one, if any, first of all); at most {@code limit}. */
    List<HistoryVersion> versions(String path, int limit);

    /** Deleted paths at or under {@code prefix}, most recently deleted first, after the cursor {@code after} (null: from the newest). */
    List<HistoryVersion> trash(String prefix, String after, int limit);

    /** The history's settings and size as committed. */
    HistoryStatus status();

    /** Makes {@code version} of {@code path} current again, at {@code to} (null: at {@code path}). */
    CompletableFuture<RestoreReport> restoreVersion(String path, long version, String to);

    /** Brings the tree at {@code path} ("" for the whole folder) back to what it was at {@code atMillis}. */
    CompletableFuture<RestoreReport> restoreTree(String path, long atMillis);

    /** Sets the retention ({@code days}, -1: unchanged) and the cap ({@code maxBytes}, -1: unchanged); completes with the status after. */
    CompletableFuture<HistoryStatus> configure(int days, long maxBytes);

    /** Drops every version replaced before {@code beforeMillis}; completes with the status after. */
    CompletableFuture<HistoryStatus> purge(long beforeMillis);
}
