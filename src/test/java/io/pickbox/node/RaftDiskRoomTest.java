package io.pickbox.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class RaftDiskRoomTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RaftDiskRoom.class);

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void aStartWithRoomDoesNotWaitNorSayAnything() {
        RaftDiskRoom.await(Path.of("/state/raft"), 100, () -> 100);
        RaftDiskRoom.await(Path.of("/state/raft"), 100, () -> -1);
        assertThat(logged.list).isEmpty();
    }

    @Test
    void aStartOnAFullDiskWaitsSayingSoOnceUntilThereIsRoom() {
        AtomicInteger reads = new AtomicInteger();
        long t0 = System.nanoTime();
        RaftDiskRoom.await(Path.of("/state/raft"), 48L << 20, () -> reads.incrementAndGet() < 3 ? 4_000_000 : 80_000_000);
        assertThat(System.nanoTime() - t0).as("it waited for room").isGreaterThanOrEqualTo(RaftDiskRoom.POLL_MILLIS * 1_000_000L);
        assertThat(logged.list).hasSize(2);
        assertThat(logged.list.get(0).getLevel()).isEqualTo(Level.ERROR);
        assertThat(logged.list.get(0).getFormattedMessage()).contains("/state/raft", "4.0 MB free, needs 50.3 MB");
        assertThat(logged.list.get(1).getFormattedMessage()).contains("80.0 MB free", "starting Raft");
    }

    @Test
    void theRoomNeededCoversTwoSegmentsAndTheStoresLog() {
        assertThat(RaftDiskRoom.needed(8L << 20)).isEqualTo(48L << 20);
    }

    @Test
    void theFreeSpaceOfADirectoryNotMadeYetIsItsParentsDisk(@TempDir Path dir) {
        assertThat(RaftDiskRoom.usable(dir.resolve("raft").resolve("group"))).isCloseTo(dir.toFile().getUsableSpace(), org.assertj.core.data.Offset.offset(64L << 20));
    }
}
