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

    @Test
    void ringIsBoundedAndResumesAfterAnIndex() {
        try (EventHub hub = new EventHub()) {
            for (long i = 1; i <= EventHub.CAPACITY + 50; i++) hub.applied(i, put("f" + i, i), Result.applied("f" + i, i));
            hub.applied(EventHub.CAPACITY + 51, new Op.Chunk("b".repeat(64), 10), new Result(Result.Status.NOOP, null, 0, null));
            assertThat(hub.lastId()).isEqualTo(EventHub.CAPACITY + 50);
            List<EventHub.Event> all = hub.after(0, Integer.MAX_VALUE);
            assertThat(all).hasSize(EventHub.CAPACITY);
            assertThat(all.get(0).id()).isEqualTo(51);
            List<EventHub.Event> tail = hub.after(EventHub.CAPACITY + 40, 100);
            assertThat(tail).extracting(EventHub.Event::id).containsExactly(
                    (long) EventHub.CAPACITY + 41, (long) EventHub.CAPACITY + 42, (long) EventHub.CAPACITY + 43,
                    (long) EventHub.CAPACITY + 44, (long) EventHub.CAPACITY + 45, (long) EventHub.CAPACITY + 46,
                    (long) EventHub.CAPACITY + 47, (long) EventHub.CAPACITY + 48, (long) EventHub.CAPACITY + 49,
                    (long) EventHub.CAPACITY + 50);
        }
    }

    @Test
    void rendersOpAndResult() {
        Map<String, Object> m = EventHub.render(new EventHub.Event(7, 1000, new Op.Rename(new Op.Origin("n2", 3), "a", "b", 1, 0),
                new Result(Result.Status.CONFLICT, "b.conflict-n2-7", 9, "destination changed concurrently")));
        assertThat(m).containsEntry("index", 7L).containsEntry("op", "rename").containsEntry("path", "a")
                .containsEntry("to", "b").containsEntry("origin", "n2").containsEntry("result", "conflict")
                .containsEntry("resultPath", "b.conflict-n2-7");
    }
}
