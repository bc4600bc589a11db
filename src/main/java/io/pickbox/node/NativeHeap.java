package io.pickbox.node;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * {@code malloc_trim(3)}: hands the C heap's free pages back to the operating system. glibc keeps
 * memory freed by the JVM's native allocations (network buffers, compiler arenas) resident until
 * asked; after a burst that is tens of megabytes of an idle node's RSS.
 */
final class NativeHeap {

    private static final boolean AVAILABLE = load();

    private NativeHeap() {}

    private static boolean load() {
        try {
            Native.register(NativeHeap.class, Platform.C_LIBRARY_NAME);
            return true;
        } catch (LinkageError e) {
            return false; // not glibc (musl, macOS): nothing to trim this way
        }
    }

    private static native int malloc_trim(NativeLong pad);

    /** Returns free C-heap pages to the system; false where the C library has no malloc_trim. */
    static boolean trim() {
        return AVAILABLE && malloc_trim(new NativeLong(0)) >= 0;
    }
}
