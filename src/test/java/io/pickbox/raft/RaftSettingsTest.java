package io.pickbox.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RaftSettingsTest {

    /**
     * However long a follower was down (each failed append counts one error), the leader tries it
     * again within a fraction of a second: a member back from a crash or a reboot catches up at once.
     */
    @Test
    void theLeaderRetriesAFollowerSoonAfterAnyNumberOfErrors() {
        RaftProperties p = RaftSettings.server("127.0.0.1", 1, Path.of("raft"), 1000, SizeInBytes.valueOf("8MB"));
        RetryPolicy policy = RetryPolicy.parse(RaftServerConfigKeys.Log.Appender.retryPolicy(p),
                RaftServerConfigKeys.Log.Appender.RETRY_POLICY_KEY);
        for (int errors : new int[] {1, 10, 11, 30, 31, 1_000, 100_000, 10_000_000}) {
            RetryPolicy.Action action = policy.handleAttemptFailure(() -> errors);
            assertThat(action.shouldRetry()).as("retry after %d errors", errors).isTrue();
            assertThat(action.getSleepTime().compareTo(TimeDuration.valueOf(150, TimeUnit.MILLISECONDS)))
                    .as("wait after %d errors: %s", errors, action.getSleepTime()).isLessThanOrEqualTo(0);
        }
    }
}
