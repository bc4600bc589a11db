package io.pickbox.watch;

import io.pickbox.os.Inotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InotifyEventTest {

    private static void put(ByteBuffer b, int wd, int mask, int cookie, String name, int paddedLen) {
        b.putInt(wd).putInt(mask).putInt(cookie).putInt(paddedLen);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        b.put(n);
        for (int i = n.length; i < paddedLen; i++) {
            b.put((byte) 0);
        }
    }

    private static List<InotifyEvent> parse(ByteBuffer b) {
        b.flip();
        List<InotifyEvent> out = new ArrayList<>();
        InotifyEvent.parse(b, out::add);
        return out;
    }

    @Test
    void parsesConsecutiveEventsWithPaddedUtf8Names() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        put(b, 1, Inotify.IN_CREATE, 0, "a.txt", 16);
        put(b, 2, Inotify.IN_MOVED_FROM | Inotify.IN_ISDIR, 77, "Größe ✓", 32);
        put(b, 3, Inotify.IN_DELETE_SELF, 0, "", 0);
        put(b, -1, Inotify.IN_Q_OVERFLOW | 0x80000000, 0xFFFFFFFF, "", 0);

        assertThat(parse(b)).containsExactly(
                new InotifyEvent(1, Inotify.IN_CREATE, 0, "a.txt"),
                new InotifyEvent(2, Inotify.IN_MOVED_FROM | Inotify.IN_ISDIR, 77, "Größe ✓"),
                new InotifyEvent(3, Inotify.IN_DELETE_SELF, 0, ""),
                new InotifyEvent(-1, Inotify.IN_Q_OVERFLOW | 0x80000000, 0xFFFFFFFF, ""));
    }

    @Test
    void nameFillingTheWholeLengthNeedsNoTerminator() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        put(b, 5, Inotify.IN_CLOSE_WRITE, 0, "abcdefgh", 8);
        assertThat(parse(b)).extracting(InotifyEvent::name).containsExactly("abcdefgh");
    }

    @Test
    void truncatedEventIsRejected() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        b.putInt(1).putInt(Inotify.IN_CREATE).putInt(0).putInt(32).put(new byte[8]);
        b.flip();
        assertThatThrownBy(() -> InotifyEvent.parse(b, e -> {})).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void maskHelper() {
        InotifyEvent e = new InotifyEvent(1, Inotify.IN_CREATE | Inotify.IN_ISDIR, 0, "d");
        assertThat(e.is(Inotify.IN_ISDIR)).isTrue();
        assertThat(e.is(Inotify.IN_DELETE | Inotify.IN_CREATE)).isTrue();
        assertThat(e.is(Inotify.IN_MODIFY)).isFalse();
    }

    @Test
    void tellsANameThatIsNotUtf8() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        b.putInt(1).putInt(Inotify.IN_CREATE).putInt(0).putInt(16);
        b.put(new byte[] {'c', 'a', 'f', (byte) 0xe9, '.', 't', 'x', 't', 0, 0, 0, 0, 0, 0, 0, 0});
        put(b, 2, Inotify.IN_CREATE, 0, "Größe ✓", 32);
        put(b, 3, Inotify.IN_CREATE, 0, "plain", 16);
        List<InotifyEvent> events = parse(b);
        assertThat(events).extracting(InotifyEvent::nameUtf8).containsExactly(false, true, true);
        assertThat(events.get(0).name()).isEqualTo("caf\uFFFD.txt");
    }
}
