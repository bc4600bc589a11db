package io.pickbox.raft;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QuietRatisStopTest {

    private final LoggerContext context = new LoggerContext();
    private final QuietRatisStop filter = new QuietRatisStop();

    @AfterEach
    void reset() {
        QuietRatisStop.reset();
    }

    private FilterReply decide(String logger, Level level) {
        return filter.decide(null, context.getLogger(logger), level, "message", null, null);
    }

    @Test
    void ratisSpeaksUntilTheStopBegins() {
        assertThat(decide("org.apache.ratis.grpc.server.GrpcLogAppender", Level.WARN)).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void onceStoppingRatisIsSilentAndPickboxIsNot() {
        QuietRatisStop.begin();
        assertThat(decide("org.apache.ratis.grpc.server.GrpcLogAppender", Level.WARN)).isEqualTo(FilterReply.DENY);
        assertThat(decide("org.apache.ratis.server.RaftServer$Division", Level.ERROR)).isEqualTo(FilterReply.DENY);
        assertThat(decide("io.pickbox.raft.RaftNode", Level.WARN)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("io.pickbox.node.Node", Level.INFO)).isEqualTo(FilterReply.NEUTRAL);
    }
}
