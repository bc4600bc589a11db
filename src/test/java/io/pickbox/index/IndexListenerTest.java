package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.index.Result.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IndexListenerTest {

    private final Index index = new Index();

    @AfterEach
    void closeIndex() {
        index.close();
    }
    private final TestOps n1 = new TestOps("n1");
    private final Recorder recorder = new Recorder();
    private long logIndex;

    /** One call to the listener, with what the index said about the path at that moment. */
    record Event(String kind, String path, Entry before, Entry after, Entry seenInIndex) {}

    final class Recorder implements IndexListener {
        final List<Event> events = new ArrayList<>();
        final List<String> renames = new ArrayList<>();
        final List<Result> results = new ArrayList<>();
        int resets;

        @Override
        public void changed(String path, Entry before, Entry after) {
            // the index lock must be free here: read it from another thread
            Entry now = CompletableFuture.supplyAsync(() -> index.get(path)).orTimeout(5, TimeUnit.SECONDS).join();
            events.add(new Event("changed", path, before, after, now));
        }

        @Override
        public void renamed(String from, String to) {
            renames.add(from + " -> " + to);
            events.add(new Event("renamed", from + " -> " + to, null, null, null));
        }

        @Override
        public void reset() {
            resets++;
        }

        @Override
        public void applied(long logIndex, Op op, Result result) {
            results.add(result);
        }
    }

    @BeforeEach
    void listen() {
        index.addListener(recorder);
    }

    private Result apply(Op op) {
        return index.apply(op, ++logIndex);
    }

    private List<Event> changes() {
        return recorder.events.stream().filter(e -> e.kind().equals("changed")).toList();
    }

    @Test
    void changedFiresAfterApplyForEveryChangedPathWithBeforeAndAfter() {
        Result r = apply(n1.put("d/e/f.txt", "x", 0));
        assertThat(changes()).extracting(Event::path).containsExactly("d", "d/e", "d/e/f.txt");
        for (Event e : changes()) {
            assertThat(e.before()).isNull();
            assertThat(e.after()).isEqualTo(index.get(e.path()));
            assertThat(e.seenInIndex()).as("apply is complete before listeners run").isEqualTo(e.after());
        }
        assertThat(recorder.results).containsExactly(r);
    }

    @Test
    void changedCarriesTheOldEntryOnUpdateAndNullAfterOnDelete() {
        long v1 = apply(n1.put("a", "1", 0)).version();
        Entry first = index.get("a");
        recorder.events.clear();

        apply(n1.put("a", "2", v1));
        Entry second = index.get("a");
        assertThat(changes()).containsExactly(new Event("changed", "a", first, second, second));

        recorder.events.clear();
        apply(n1.delete("a", second.version()));
        assertThat(changes()).containsExactly(new Event("changed", "a", second, null, null));
    }

    @Test
    void noEventsForOpsThatChangeNothing() {
        long v1 = apply(n1.put("a", "1", 0)).version();
        apply(n1.put("a", "2", v1));
        recorder.events.clear();
        recorder.results.clear();

        Op.Put stale = n1.put("a", "2", v1);
        List<Result> results = List.of(
                apply(stale),                        // same content: NOOP
                apply(stale),                        // retry: DUPLICATE
                apply(n1.delete("a", v1)),           // SUPERSEDED
                apply(n1.put("../x", "1", 0)),       // REJECTED
                apply(n1.mkdir("a")));               // file is there: CONFLICT (changes!)
        assertThat(results).extracting(Result::status).containsExactly(
                Status.NOOP, Status.DUPLICATE, Status.SUPERSEDED, Status.REJECTED, Status.CONFLICT);
        assertThat(changes()).extracting(Event::path).containsExactly(results.get(4).path());
        assertThat(recorder.results).isEqualTo(results);
    }

    @Test
    void renameAnnouncesTheMoveFirstThenEachPath() {
        apply(n1.put("src/a", "1", 0));
        apply(n1.put("src/b", "2", 0));
        recorder.events.clear();

        apply(n1.rename("src", "dst", 0, 0));

        assertThat(recorder.renames).containsExactly("src -> dst");
        assertThat(recorder.events.get(0).kind()).isEqualTo("renamed");
        List<Event> changes = changes();
        assertThat(changes).filteredOn(e -> e.after() == null).extracting(Event::path)
                .containsExactlyInAnyOrder("src", "src/a", "src/b");
        assertThat(changes).filteredOn(e -> e.after() != null).extracting(Event::path)
                .containsExactlyInAnyOrder("dst", "dst/a", "dst/b");
        assertThat(changes).filteredOn(e -> e.path().equals("dst/a")).singleElement()
                .satisfies(e -> assertThat(e.after().sha256()).isEqualTo(sha("1")));
    }

    @Test
    void fileRenameAnnouncesTheMove() {
        long v = apply(n1.put("a.txt", "1", 0)).version();
        recorder.events.clear();
        apply(n1.rename("a.txt", "A.txt", v, 0));
        assertThat(recorder.renames).containsExactly("a.txt -> A.txt");
        assertThat(changes()).extracting(Event::path).containsExactlyInAnyOrder("a.txt", "A.txt");
    }

    @Test
    void rejectedRenameAnnouncesNothing() {
        apply(n1.rename("ghost", "x", 0, 0));
        assertThat(recorder.events).isEmpty();
        assertThat(recorder.results).extracting(Result::status).containsExactly(Status.REJECTED);
    }

    @Test
    void restoreResetsListenersAndAnnouncesNoPerPathChanges() {
        apply(n1.put("a", "1", 0));
        IndexState state = index.state();
        apply(n1.put("b", "2", 0));
        recorder.events.clear();

        index.restore(state);

        assertThat(recorder.resets).isEqualTo(1);
        assertThat(recorder.events).isEmpty();
        assertThat(index.get("b")).isNull();
        // no event left over from before the restore leaks into the next apply
        apply(n1.put("c", "3", 0));
        assertThat(changes()).extracting(Event::path).containsExactly("c");
    }
}
