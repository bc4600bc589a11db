package io.pickbox.watch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One struct inotify_event: {int32 wd; uint32 mask; uint32 cookie; uint32 len; char name[len];}.
 *
 * @param nameUtf8 false when the name's bytes are not UTF-8: {@code name} then has U+FFFD in their
 *                 place, and names no file
 */
record InotifyEvent(int wd, int mask, int cookie, String name, boolean nameUtf8) {

    static final int HEADER_SIZE = 16;

    InotifyEvent(int wd, int mask, int cookie, String name) {
        this(wd, mask, cookie, name, true);
    }

    boolean is(int bits) {
        return (mask & bits) != 0;
    }

    /**
     * Parses every complete event in buf (native byte order, as read(2) returns them). name is
     * NUL-padded to an alignment boundary, so it ends at the first NUL, not at len.
     */
    static void parse(ByteBuffer buf, Consumer<InotifyEvent> sink) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
        while (b.remaining() >= HEADER_SIZE) {
            int wd = b.getInt();
            int mask = b.getInt();
            int cookie = b.getInt();
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                // The kernel never splits an event across reads; a short tail means a corrupt buffer.
                throw new IllegalStateException("truncated inotify event: len=" + len + " remaining=" + b.remaining());
            }
            if (len == 0) {
                sink.accept(new InotifyEvent(wd, mask, cookie, ""));
                continue;
            }
            int start = b.position();
            int end = start;
            while (end < start + len && b.get(end) != 0) {
                end++;
            }
            byte[] bytes = new byte[end - start];
            b.get(start, bytes);
            b.position(start + len);
            sink.accept(named(wd, mask, cookie, bytes));
        }
    }

    /** The event with its name decoded once: strictly where it is not ASCII, to tell bytes that are not UTF-8. */
    private static InotifyEvent named(int wd, int mask, int cookie, byte[] bytes) {
        boolean ascii = true;
        for (byte x : bytes) ascii &= x >= 0;
        if (ascii) return new InotifyEvent(wd, mask, cookie, new String(bytes, StandardCharsets.US_ASCII));
        try {
            return new InotifyEvent(wd, mask, cookie, StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return new InotifyEvent(wd, mask, cookie, new String(bytes, StandardCharsets.UTF_8), false);
        }
    }
}
