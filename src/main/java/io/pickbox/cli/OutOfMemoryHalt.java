package io.pickbox.cli;

/**
 * Ends the process at once when a thread dies of an {@link OutOfMemoryError}. A node whose threads
 * die one by one lives on answering nothing (its Raft server closed); one that exits is restarted
 * by its supervisor. The nodes' JVM options ({@code -XX:+ExitOnOutOfMemoryError}) also cover errors
 * that a library catches (Ratis's state machine updater catches everything and closes the server);
 * this handler covers a JVM started without them, and errors thrown by code rather than by the JVM
 * (direct buffer memory) that no one catches. Those that a library catches and logs end the process
 * through {@link OutOfMemoryInLog}.
 */
final class OutOfMemoryHalt implements Thread.UncaughtExceptionHandler {

    /** The status {@code -XX:+ExitOnOutOfMemoryError} exits with. */
    static final int EXIT_STATUS = 3;
    /** Written when even the message cannot be built. */
    private static final String FALLBACK = "pickbox: out of memory; exiting so that the node can be restarted";

    private final Thread.UncaughtExceptionHandler next;

    private OutOfMemoryHalt(Thread.UncaughtExceptionHandler next) {
        this.next = next;
    }

    /** Set once this process is a node that ends on any out-of-memory error (see {@link OutOfMemoryInLog}). */
    private static volatile boolean installed;

    /** Makes this the handler of every thread that has none of its own. */
    static void install() {
        installed = true;
        Thread.UncaughtExceptionHandler current = Thread.getDefaultUncaughtExceptionHandler();
        if (!(current instanceof OutOfMemoryHalt)) Thread.setDefaultUncaughtExceptionHandler(new OutOfMemoryHalt(current));
    }

    static boolean installed() {
        return installed;
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        OutOfMemoryError oom = outOfMemory(e);
        if (oom != null) halt("in thread " + t.getName(), oom);
        if (next != null) {
            next.uncaughtException(t, e);
        } else {
            System.err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace(System.err);
        }
    }

    /** Ends the process with one line saying where the error was met. */
    static void halt(String where, OutOfMemoryError oom) {
        try {
            System.err.println("pickbox: out of memory " + where + " (" + oom.getMessage()
                    + "); exiting so that the node can be restarted");
        } catch (Throwable messageFailed) {
            System.err.println(FALLBACK);
        }
        // No shutdown hooks: they would need the memory that is gone, and could hang.
        Runtime.getRuntime().halt(EXIT_STATUS);
    }

    /** The error itself, or one it wraps (a future's CompletionException). */
    static OutOfMemoryError outOfMemory(Throwable e) {
        for (int depth = 0; e != null && depth < 16; e = e.getCause(), depth++) {
            if (e instanceof OutOfMemoryError oom) return oom;
        }
        return null;
    }
}
