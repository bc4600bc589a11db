package io.pickbox.raft;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Raft log that ends before the latest checkpoint, removed before Ratis opens it.
 * <p>
 * A member installing a checkpoint from its leader writes the checkpoint first and resets its log
 * after. Killed in between, it restarts with a checkpoint newer than every entry of its log. Ratis
 * then drops the closed segments but keeps the open one, and refuses every later entry as a gap
 * after that segment's last. Every entry of such a log is covered by the checkpoint, so the whole
 * log goes, as the install would have done.
 */
final class StaleLog {

    private static final Logger LOG = LoggerFactory.getLogger(StaleLog.class);
    private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
    private static final Pattern OPEN = Pattern.compile("log_inprogress_(\\d+)");

    private StaleLog() {
    }

    /**
     * Removes the log segments in {@code currentDir} if all of them end before {@code checkpointIndex}.
     *
     * @param maxEntrySize the largest entry Ratis accepts, to read the open segment as Ratis does
     * @return the number of segment files removed
     */
    static int dropIfBefore(Path currentDir, long checkpointIndex, SizeInBytes maxEntrySize) throws IOException {
        if (checkpointIndex < 0 || !Files.isDirectory(currentDir)) return 0;
        List<Path> segments = new ArrayList<>();
        long end = -1;
        try (Stream<Path> files = Files.list(currentDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                Matcher closed = CLOSED.matcher(name);
                if (closed.matches()) {
                    end = Math.max(end, Long.parseLong(closed.group(2)));
                } else if (OPEN.matcher(name).matches()) {
                    end = Math.max(end, lastIndexIn(f, maxEntrySize));
                } else {
                    continue;
                }
                segments.add(f);
            }
        }
        if (segments.isEmpty() || end >= checkpointIndex) return 0;
        for (Path f : segments) Files.deleteIfExists(f);
        LOG.info("Removed the Raft log ({} segments, up to entry {}): the checkpoint at entry {} covers all of it",
                segments.size(), end, checkpointIndex);
        return segments.size();
    }

    /**
     * Removes the log segments in {@code currentDir} if the first of them starts after
     * {@code appliedIndex} + 1: a member whose store and checkpoints were damaged and moved aside
     * holds a log it cannot apply (the entries before it are gone), and Ratis would wait for them
     * for ever. Without a log it is brought up to date as a new member is, by the leader's
     * checkpoint. Its term and vote ({@code raft-meta}) stay.
     *
     * @return the number of segment files removed
     */
    static int dropIfAfterGap(Path currentDir, long appliedIndex) throws IOException {
        if (!Files.isDirectory(currentDir)) return 0;
        List<Path> segments = new ArrayList<>();
        long start = Long.MAX_VALUE;
        try (Stream<Path> files = Files.list(currentDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                Matcher closed = CLOSED.matcher(name), open = OPEN.matcher(name);
                if (closed.matches()) {
                    start = Math.min(start, Long.parseLong(closed.group(1)));
                } else if (open.matches()) {
                    start = Math.min(start, Long.parseLong(open.group(1)));
                } else {
                    continue;
                }
                segments.add(f);
            }
        }
        if (segments.isEmpty() || start <= appliedIndex + 1) return 0;
        for (Path f : segments) Files.delete(f);
        LOG.warn("Removed the Raft log ({} segments, from entry {}): this node holds nothing before it (its state was "
                + "damaged and moved aside); it gets the leader's checkpoint as a new member does", segments.size(), start);
        return segments.size();
    }

    /** The index of the last whole entry of an open segment; one before its start if it holds none. */
    private static long lastIndexIn(Path openSegment, SizeInBytes maxEntrySize) throws IOException {
        Matcher m = OPEN.matcher(openSegment.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(openSegment + " is not an open segment");
        AtomicLong last = new AtomicLong(Long.parseLong(m.group(1)) - 1);
        // A member killed as it opened the segment leaves it empty, not even a header: no entries.
        // (Ratis's matcher would delete such a file and match it to nothing; its own start does that.)
        if (Files.size(openSegment) == 0) return last.get();
        LogSegmentPath path = LogSegmentPath.matchLogSegment(openSegment);
        // a torn tail is what an open segment of a killed member may end with: what comes before it counts
        LogSegment.readSegmentFile(openSegment.toFile(), path.getStartEnd(), maxEntrySize, CorruptionPolicy.WARN_AND_RETURN,
                null, (LogEntryProto e) -> last.set(e.getIndex()));
        return last.get();
    }
}
