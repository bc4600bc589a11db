package io.pickbox.admin;

import io.pickbox.index.Op;
import io.pickbox.index.Result;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventHubTest {

    private static Op.Put put(String path, long seq) {
        return new Op.Put(new Op.Origin("n1", seq), path, 3, "a".repeat(64), List.of("a".repeat(64)), 0644, 1, 0, true);
    }

    private static long id(long logIndex) {
        return logIndex * EventHub.IDS_PER_ENTRY;
    }

    @Test
    void ringIsBoundedAndResumesAfterAnIndex() {
        try (EventHub hub = new EventHub()) {
            for (long i = 1; i <= EventHub.CAPACITY + 50; i++) hub.applied(i, put("f" + i, i), Result.applied("f" + i, i));
            hub.applied(EventHub.CAPACITY + 51, new Op.Chunk("b".repeat(64), 10), new Result(Result.Status.NOOP, null, 0, null));
            assertThat(hub.lastId()).isEqualTo(id(EventHub.CAPACITY + 50));
            List<EventHub.Event> all = hub.after(0, Integer.MAX_VALUE);
            assertThat(all).hasSize(EventHub.CAPACITY);
            assertThat(all.get(0).id()).isEqualTo(id(51));
            List<EventHub.Event> tail = hub.after(id(EventHub.CAPACITY + 47), 100);
            assertThat(tail).extracting(EventHub.Event::id).containsExactly(
                    id(EventHub.CAPACITY + 48), id(EventHub.CAPACITY + 49), id(EventHub.CAPACITY + 50));
        }
    }

    /** A batch entry applies several ops at one log index: each gets its own id, in order. */
    @Test
    void opsOfOneEntryGetDistinctIncreasingIds() {
        try (EventHub hub = new EventHub()) {
            hub.applied(5, put("a", 1), Result.applied("a", 1));
            hub.applied(6, put("b", 2), Result.applied("b", 2));
            hub.applied(6, put("c", 3), Result.applied("c", 3));
            hub.applied(6, put("d", 4), Result.applied("d", 4));
            hub.applied(7, put("e", 5), Result.applied("e", 5));
            assertThat(hub.after(0, 10)).extracting(EventHub.Event::id)
                    .containsExactly(id(5), id(6), id(6) + 1, id(6) + 2, id(7));
            assertThat(hub.after(id(6) + 1, 10)).extracting(e -> e.subject().get("path")).containsExactly("d", "e");
            assertThat(hub.after(id(6) + 1, 10)).extracting(EventHub.Event::logIndex).containsExactly(6L, 7L);
        }
    }

    /** A notice (a mass change) takes its place among the ops of its entry, and is rendered as it was given. */
    @Test
    void aNoticeGetsTheNextIdOfItsEntryAndItsTypeAsTheEventName() {
        try (EventHub hub = new EventHub()) {
            hub.applied(8, put("a", 1), Result.applied("a", 1));
            Map<String, Object> notice = new java.util.LinkedHashMap<>();
            notice.put("type", "mass-change");
            notice.put("node", "n1");
            notice.put("deleted", 1500L);
            notice.put("undo", "pickbox restore docs --at \"2026-12-05T10:00:00Z\"");
            hub.notice(8, notice);
            hub.applied(8, put("b", 2), Result.applied("b", 2));
            List<EventHub.Event> all = hub.after(0, 10);
            assertThat(all).extracting(EventHub.Event::id).containsExactly(id(8), id(8) + 1, id(8) + 2);
            assertThat(all).extracting(EventHub.Event::type).containsExactly("op", "mass-change", "op");
            Map<String, Object> m = EventHub.render(all.get(1));
            assertThat(m).containsEntry("id", id(8) + 1).containsEntry("index", 8L).containsEntry("type", "mass-change")
                    .containsEntry("node", "n1").containsEntry("deleted", 1500L).doesNotContainKey("op");
            assertThat(m.keySet()).containsSubsequence("id", "type", "node", "deleted", "undo");
        }
    }

    @Test
    void rendersOpAndResult() {
        Map<String, Object> m = EventHub.render(EventHub.Event.of(7 * EventHub.IDS_PER_ENTRY + 1, 7, 1000, new Op.Rename(new Op.Origin("n2", 3), "a", "b", 1, 0),
                new Result(Result.Status.CONFLICT, "b.conflict-n2-7", 9, "destination changed concurrently")));
        assertThat(m).containsEntry("id", 7 * EventHub.IDS_PER_ENTRY + 1).containsEntry("index", 7L).containsEntry("op", "rename").containsEntry("path", "a")
                .containsEntry("to", "b").containsEntry("origin", "n2").containsEntry("result", "conflict")
                .containsEntry("resultPath", "b.conflict-n2-7");
    }

    /** A large file's op carries a hash per chunk; the ring keeps what is shown, not the op. */
    @Test
    void eventsKeepWhatIsRenderedNotTheOp() {
        try (EventHub hub = new EventHub()) {
            List<String> chunks = java.util.Collections.nCopies(5_000, "c".repeat(64));
            hub.applied(3, new Op.Put(new Op.Origin("n1", 1), "big.iso", 5_000L << 20, "d".repeat(64), chunks, 0644, 1, 0, false),
                    Result.applied("big.iso", 4));
            EventHub.Event e = hub.after(0, 1).get(0);
            assertThat(e.subject()).containsExactly(Map.entry("path", "big.iso"), Map.entry("size", 5_000L << 20));
            assertThat(EventHub.render(e)).containsEntry("op", "put").containsEntry("origin", "n1").containsEntry("path", "big.iso")
                    .containsEntry("result", "applied").doesNotContainKey("chunks");
        }
    }
}
