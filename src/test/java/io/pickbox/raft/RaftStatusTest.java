package io.pickbox.raft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RaftStatusTest {

    private static RaftStatus status(String leader, boolean alive) {
        return new RaftStatus("n1", "follower", leader, 3, 10, 10, alive, List.of());
    }

    @Test
    void anUnhealthyNodeSaysWhy() {
        assertThat(status("n2", true).unhealthyReason()).isNull();
        assertThat(status(null, true).unhealthyReason()).startsWith("it knows no leader");
        assertThat(status("n2", false).unhealthyReason()).isEqualTo("its Raft server is not running");
        RaftStatus removed = status(null, true).failed(OwnMembership.REMOVED);
        assertThat(removed.healthy()).isFalse();
        assertThat(removed.unhealthyReason()).isEqualTo(OwnMembership.REMOVED);
    }
}
