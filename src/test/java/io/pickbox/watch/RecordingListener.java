package io.pickbox.watch;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Thread-safe event log for tests. */
final class RecordingListener implements ChangeListener {
    enum Kind { CHANGED, MOVED, RESCAN }

    record Event(Kind kind, String path, String to, boolean writerDone) {
        @Override
        public String toString() {
            return switch (kind) {
                case CHANGED -> "changed(" + path + "," + writerDone + ")";
                case MOVED -> "moved(" + path + "->" + to + ")";
                case RESCAN -> "rescan(" + path + ")";
            };
        }
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    volatile Thread lastCallbackThread;

    @Override
    public void changed(String relPath, boolean writerDone) {
        record(new Event(Kind.CHANGED, relPath, null, writerDone));
    }

    @Override
    public void moved(String fromRelPath, String toRelPath) {
        record(new Event(Kind.MOVED, fromRelPath, toRelPath, true));
    }

    @Override
    public void rescan(String relDir) {
        record(new Event(Kind.RESCAN, relDir, null, true));
    }

    private void record(Event e) {
        lastCallbackThread = Thread.currentThread();
        events.add(e);
    }

    Set<String> changedPaths() {
        return events.stream().filter(e -> e.kind() == Kind.CHANGED).map(Event::path).collect(Collectors.toSet());
    }

    Set<String> completedPaths() {
        return events.stream().filter(e -> e.kind() == Kind.CHANGED && e.writerDone())
                .map(Event::path).collect(Collectors.toSet());
    }

    List<Event> moves() {
        return events.stream().filter(e -> e.kind() == Kind.MOVED).toList();
    }

    Set<String> rescans() {
        return events.stream().filter(e -> e.kind() == Kind.RESCAN).map(Event::path).collect(Collectors.toSet());
    }

    /** Every path mentioned by any event (both ends of a move). */
    Set<String> allPaths() {
        return events.stream().flatMap(e -> e.to() == null ? java.util.stream.Stream.of(e.path())
                : java.util.stream.Stream.of(e.path(), e.to())).collect(Collectors.toSet());
    }

    /** True when path was reported as changed or lies in a subtree the watcher asked to rescan. */
    boolean covered(String path) {
        if (changedPaths().contains(path)) {
            return true;
        }
        return rescans().stream().anyMatch(r -> RelPaths.isSelfOrBelow(path, r));
    }

    void clear() {
        events.clear();
    }
}
