package io.pickbox.node;

import io.pickbox.sync.SyncEngine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The verify scan runs at the configured interval unless its CPU time would be more than a quarter of 1 % of a core. */
class VerifyDelayTest {

    @Test
    void aCheapScanRunsAtTheConfiguredInterval() {
        assertThat(Node.nextVerifyDelay(60_000, null)).isEqualTo(60_000);
        assertThat(Node.nextVerifyDelay(60_000, new SyncEngine.ScanCost(1_000, 0, 0.05, 0.1))).isEqualTo(60_000);
    }

    @Test
    void aCostlyScanWaitsFourHundredTimesItsCpuTime() {
        // A million files: 3 s of CPU a scan, so one scan every 20 minutes at most.
        assertThat(Node.nextVerifyDelay(60_000, new SyncEngine.ScanCost(1_000_000, 2, 3.0, 4.0))).isEqualTo(1_200_000);
    }
}
