package io.pickbox.os;

import com.sun.jna.NativeLong;

/**
 * {@code malloc_trim(3)}: hands the C heap's free pages back to the operating system. glibc keeps
 * memory freed by the JVM's native allocations (network buffers, compiler arenas) resident until
 * asked; after a burst that is tens of megabytes of an idle node's RSS.
 */
public final class NativeHeap {

    private NativeHeap() {}

    /** Returns free C-heap pages to the system; false where the C library has no malloc_trim. */
    public static boolean trim() {
        return LibC.Malloc.BOUND && LibC.Malloc.malloc_trim(new NativeLong(0)) >= 0;
    }
}
