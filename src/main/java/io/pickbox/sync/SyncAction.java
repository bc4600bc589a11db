package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Entry;
import io.pickbox.index.Op;
import io.pickbox.sync.LocalTable.Local;

import java.io.IOException;

/**
 * What bringing one path in step comes to: decided by {@link Reconciliation} from the three trees
 * without any I/O, carried out by {@link Reconciler}. Every action is handled through
 * {@link Handler}, so a new action does not compile until it is carried out.
 */
sealed interface SyncAction {

    <R> R carryOut(Handler<R> h) throws IOException;

    interface Handler<R> {
        R stayBlocked() throws IOException;

        R nothing() throws IOException;

        R retry(long afterMillis) throws IOException;

        R problem(String reason) throws IOException;

        R notReplicated(FileStat.Kind kind) throws IOException;

        R forgetRow(SyncAction then) throws IOException;

        R recordRow(Local row, SyncAction then) throws IOException;

        R materialize(Entry committed) throws IOException;

        R propose(Op op, Uploader.Snapshot read) throws IOException;

        R proposeTreeDelete(Op.Delete delete) throws IOException;

        R readFile() throws IOException;

        R deleteLocalFile(FileStat ifStill, SyncAction then) throws IOException;

        R applyMeta(Entry committed) throws IOException;

        R removeDirectory() throws IOException;
    }

    /** The cluster refused this path's change and the disk has not changed since: leave it, and its reason, alone. */
    record StayBlocked() implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.stayBlocked();
        }
    }

    /** In step. */
    record Nothing() implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.nothing();
        }
    }

    /** Look again after {@code afterMillis}. */
    record Retry(long afterMillis) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.retry(afterMillis);
        }
    }

    /** Nothing can be done now; {@code reason} is shown by status and {@code why}. */
    record Problem(String reason) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.problem(reason);
        }
    }

    /** Symlinks, fifos, sockets and devices are not replicated (said once in the log). */
    record NotReplicated(FileStat.Kind kind) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.notReplicated(kind);
        }
    }

    /** Drop the local table's row, then {@code then}. */
    record ForgetRow(SyncAction then) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.forgetRow(then);
        }
    }

    /** Set the local table's row to {@code row}, then {@code then}. */
    record RecordRow(Local row, SyncAction then) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.recordRow(row, then);
        }
    }

    /** Write the committed entry to disk (unless a local edit is in the way) and record it. */
    record Materialize(Entry committed) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.materialize(committed);
        }
    }

    /** Propose {@code op}; {@code read} is the file read for a PUT (its data goes along), else null. */
    record Propose(Op op, Uploader.Snapshot read) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.propose(op, read);
        }
    }

    /**
     * Propose deleting a directory tree; its {@code seen} is raised to the newest version this node
     * recorded under it, so that a change it never saw survives the delete.
     */
    record ProposeTreeDelete(Op.Delete delete) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.proposeTreeDelete(delete);
        }
    }

    /** The file differs from what this node last synced: read it stably, then decide on its content. */
    record ReadFile() implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.readFile();
        }
    }

    /** Delete the file if its stat is still {@code ifStill} (and forget its row), then {@code then}. */
    record DeleteLocalFile(FileStat ifStill, SyncAction then) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.deleteLocalFile(ifStill, then);
        }
    }

    /** The file holds the committed content: give it the committed mode and mtime, and record it. */
    record ApplyMeta(Entry committed) implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.applyMeta(committed);
        }
    }

    /**
     * A directory deleted elsewhere: remove it if nothing real is inside; otherwise its children are
     * looked at first (each on its own merits) and the directory again after them.
     */
    record RemoveDirectory() implements SyncAction {
        public <R> R carryOut(Handler<R> h) throws IOException {
            return h.removeDirectory();
        }
    }
}
