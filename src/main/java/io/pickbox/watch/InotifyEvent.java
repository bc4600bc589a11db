package io.pickbox.watch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** One struct inotify_event: {int32 wd; uint32 mask; uint32 cookie; uint32 len; char name[len];}. */
record InotifyEvent(int wd, int mask, int cookie, String name) {

    static final int HEADER_SIZE = 16;

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
            String name = "";
            if (len > 0) {
                int start = b.position();
                int end = start;
                while (end < start + len && b.get(end) != 0) {
                    end++;
                }
                byte[] bytes = new byte[end - start];
                b.get(start, bytes);
                name = new String(bytes, StandardCharsets.UTF_8);
                b.position(start + len);
            }
            sink.accept(new InotifyEvent(wd, mask, cookie, name));
        }
    }
}
