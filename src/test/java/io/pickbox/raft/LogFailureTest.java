package io.pickbox.raft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class LogFailureTest {

    @Test
    void aFailedWriteIsToldFromAFailedReadBack() {
        // As Ratis 3.3.0's log worker reports an entry whose blob could not be stored.
        IOException write = new IOException(new UncheckedIOException(new IOException("No space left on device")));
        assertThat(LogFailure.isWrite(write)).isTrue();
        assertThat(LogFailure.isWrite(new IOException("Log already failed at index 59"))).isTrue();
        // As it reports a follower's entry whose data could not be read back.
        CompletionException read = new CompletionException("Failed to read state machine data for log entry (t:1, i:7)",
                new IOException("blob 0123 is gone"));
        assertThat(LogFailure.isWrite(read)).isFalse();
    }

    @Test
    void theLineNamesTheDirectoryTheErrorAndTheRoomLeft(@TempDir Path dir) {
        String line = LogFailure.describe(dir, new IOException(new UncheckedIOException(new IOException("No space left on device"))));
        assertThat(line).startsWith("the Raft log in " + dir + " cannot be written (No space left on device); ")
                .containsPattern("[0-9.]+ [kMGTP]?B free of [0-9.]+ [kMGTP]?B on its disk");
    }

    @Test
    void theApplyLineNamesTheEntryTheErrorAndTheRoomLeft(@TempDir Path dir) {
        String line = LogFailure.describeApply(dir, 42, new RuntimeException(new IOException("No space left on device")));
        assertThat(line).startsWith("log entry 42 could not be applied (No space left on device); ")
                .containsPattern("[0-9.]+ [kMGTP]?B free of [0-9.]+ [kMGTP]?B on its disk");
    }

    @Test
    void aMemberThatSteppedAsideIsNotHealthy() {
        RaftStatus running = new RaftStatus("n3", "follower", "n1", 2, 10, 10, true, List.of());
        assertThat(running.healthy()).isTrue();
        RaftStatus failed = running.failed("the Raft log in /x cannot be written");
        assertThat(failed.healthy()).isFalse();
        assertThat(failed.failure()).isEqualTo("the Raft log in /x cannot be written");
    }
}
