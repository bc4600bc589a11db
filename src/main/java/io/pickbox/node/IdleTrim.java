package io.pickbox.node;

import io.pickbox.os.NativeHeap;

import java.util.function.LongSupplier;

/**
 * Gives memory back once a node goes quiet after work. A burst or a large file grows the heap;
 * left alone, the JVM keeps it committed while the node idles. After a few quiet seconds following
 * activity one full collection runs, which (with {@code -XX:MaxHeapFreeRatio}) returns the
 * unused heap to the operating system, and the C heap's free pages are handed back too. An idle
 * node is not collected again until it works again. The node also writes its store's memory
 * buffers out then ({@link Node}), so a crash while idle costs no log replay at the next start.
 */
final class IdleTrim implements Runnable {

    private final LongSupplier activity;
    private final int quietChecks;
    private final Runnable collect;
    private long lastSeen = -1;
    private int quietFor;
    private boolean dirty;

    /** One full collection, and the C heap's free pages handed back. */
    static void giveMemoryBack() {
        System.gc();
        NativeHeap.trim();
    }

    /**
     * @param activity    any counter that moves while the node works (applied ops, bytes written)
     * @param quietChecks how many consecutive calls without movement count as idle
     * @param collect     what is done then ({@link #giveMemoryBack}, and more)
     */
    IdleTrim(LongSupplier activity, int quietChecks, Runnable collect) {
        this.activity = activity;
        this.quietChecks = quietChecks;
        this.collect = collect;
    }

    /** Called at a fixed rate; returns whether it collected. */
    boolean check() {
        long now = activity.getAsLong();
        if (now != lastSeen) {
            if (lastSeen >= 0) dirty = true;
            lastSeen = now;
            quietFor = 0;
            return false;
        }
        if (!dirty || ++quietFor < quietChecks) return false;
        dirty = false;
        collect.run();
        return true;
    }

    @Override
    public void run() {
        check();
    }
}
