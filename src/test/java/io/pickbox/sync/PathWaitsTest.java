package io.pickbox.sync;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.concurrent.CompletionException;

import static io.pickbox.sync.PathWaits.Kind.PERMISSION;
import static io.pickbox.sync.PathWaits.Kind.SPACE;
import static org.assertj.core.api.Assertions.assertThat;

class PathWaitsTest {

    private final PathWaits waits = new PathWaits();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(PathWaits.class);

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void errorsOfTheDiskAreToldApartByTheirErrno() {
        assertThat(PathWaits.kindOf(new IOException("No space left on device"))).isEqualTo(SPACE);
        assertThat(PathWaits.kindOf(new FileSystemException("/f/.pickbox-tmp1", null, "Disk quota exceeded"))).isEqualTo(SPACE);
        assertThat(PathWaits.kindOf(new CompletionException(new java.io.UncheckedIOException(new IOException("No space left on device")))))
                .as("wrapped").isEqualTo(SPACE);
        assertThat(PathWaits.kindOf(new AccessDeniedException("/f/x"))).isEqualTo(PERMISSION);
        assertThat(PathWaits.kindOf(new FileSystemException("/f/x", null, "Operation not permitted"))).isEqualTo(PERMISSION);
        assertThat(PathWaits.kindOf(new FileSystemException("/f/x", null, "Read-only file system"))).isEqualTo(PERMISSION);
        assertThat(PathWaits.kindOf(new IOException("chunk 0123456789ab is not available from any peer yet"))).isNull();
        assertThat(PathWaits.kindOf(new IOException((String) null))).isNull();
    }

    @Test
    void retriesComeLaterAndLaterUpToTheKindsBound() {
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(n -> PathWaits.delayAfter(SPACE, n)).toList())
                .containsExactly(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L);
        assertThat(PathWaits.delayAfter(PERMISSION, 7)).isEqualTo(60_000L);
        assertThat(PathWaits.delayAfter(PERMISSION, Integer.MAX_VALUE)).isEqualTo(60_000L);

        assertThat(waits.waiting("a", SPACE, "waiting for disk space: x", 10)).isEqualTo(1000);
        assertThat(waits.waiting("a", SPACE, "waiting for disk space: y", 10)).isEqualTo(2000);
        assertThat(waits.waiting("a", SPACE, "waiting for disk space: z", 10)).isEqualTo(4000);
        assertThat(waits.reasonAt("a")).as("the newest reason").isEqualTo("waiting for disk space: z");
        assertThat(waits.waiting("a", PERMISSION, "cannot write", 0)).as("another reason starts over").isEqualTo(1000);
    }

    @Test
    void aWaitIsLoggedWhenItStartsAndWhenItEndsNotAtEveryTry() {
        for (int i = 0; i < 10; i++) waits.waiting("big.bin", SPACE, "waiting for disk space: needs 61.0 MB, 10.0 MB free", 60_000_000);
        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0)).contains("big.bin", "waiting for disk space: needs 61.0 MB, 10.0 MB free");
        assertThat(waits.count(SPACE)).isEqualTo(1);
        assertThat(waits.bytes(SPACE)).isEqualTo(60_000_000);

        waits.passed("big.bin");
        waits.passed("big.bin");
        waits.passed("never-waited");
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(1)).contains("big.bin", "no longer waits", "10 tries");
        assertThat(waits.count(SPACE)).isZero();
        assertThat(waits.bytes(SPACE)).isZero();
        assertThat(waits.reasonAt("big.bin")).isNull();
    }

    @Test
    void pastSomeWaitingPathsOneLineStandsForTheRest() {
        int n = PathWaits.LOGGED_ONE_BY_ONE + 30;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < n; i++) waits.waiting("f" + i, PERMISSION, "cannot write into the folder (denied)", 0);
        }
        assertThat(lines()).hasSize(PathWaits.LOGGED_ONE_BY_ONE + 1);
        assertThat(lines().get(PathWaits.LOGGED_ONE_BY_ONE)).contains("not logged one by one");
        assertThat(waits.count(PERMISSION)).isEqualTo(n);
        assertThat(waits.reasons()).hasSize(n);

        for (int i = 0; i < n; i++) waits.passed("f" + i);
        assertThat(lines()).as("an end line for each start line").hasSize(2 * PathWaits.LOGGED_ONE_BY_ONE + 1);
        assertThat(waits.count(PERMISSION)).isZero();
    }

    @Test
    void theWaitsAreBoundedAsTheOtherProblemsAre() {
        for (int i = 0; i < PathProblems.MAX_PATHS + 7; i++) waits.waiting("p" + i, SPACE, "waiting for disk space", 1);
        assertThat(waits.reasons()).hasSize(PathProblems.MAX_PATHS);
        assertThat(waits.count(SPACE)).isEqualTo(PathProblems.MAX_PATHS);
        assertThat(waits.bytes(SPACE)).isEqualTo(PathProblems.MAX_PATHS);
        assertThat(waits.reasonAt("p6")).isNull();
    }
}
