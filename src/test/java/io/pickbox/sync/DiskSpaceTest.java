package io.pickbox.sync;

import io.pickbox.transfer.FreeSpace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DiskSpaceTest {

    private static DiskSpace space(long usable, long total) {
        return new DiskSpace(new DiskSpace.Probe() {
            @Override
            public long usable() {
                return usable;
            }

            @Override
            public long total() {
                return total;
            }
        });
    }

    @Test
    void theMarginIsTwoPercentOfTheFileSystemWithinBounds() {
        assertThat(DiskSpace.margin(50_000_000)).isEqualTo(FreeSpace.MIN_MARGIN);
        assertThat(DiskSpace.margin(10_000_000_000L)).isEqualTo(200_000_000);
        assertThat(DiskSpace.margin(4_000_000_000_000L)).isEqualTo(FreeSpace.MAX_MARGIN);
        assertThat(DiskSpace.margin(-1)).as("size unknown").isEqualTo(FreeSpace.MIN_MARGIN);
    }

    @Test
    void aFileFitsOnlyWithTheMarginToSpare() {
        long total = 50_000_000, margin = DiskSpace.margin(total);
        DiskSpace s = space(10_000_000, total);
        assertThat(s.check(10_000_000 - margin)).isNull();
        DiskSpace.Shortage short1 = s.check(10_000_000 - margin + 1);
        assertThat(short1).isEqualTo(new DiskSpace.Shortage(10_000_001, 10_000_000));
        assertThat(s.check(60_000_000).reason()).isEqualTo("waiting for disk space: needs 61.0 MB, 10.0 MB free");
    }

    @Test
    void unknownFreeSpaceLetsTheWriteTell() {
        assertThat(space(-1, -1).check(Long.MAX_VALUE / 2)).isNull();
    }

    @Test
    void theFolderOfARealFileSystemHasRoomForAByte(@TempDir Path dir) {
        assertThat(DiskSpace.of(dir).check(1)).isNull();
        assertThat(DiskSpace.of(dir).check(Long.MAX_VALUE / 4)).isNotNull();
    }

    @Test
    void sizesReadAsPeopleReadThem() {
        assertThat(FreeSpace.bytes(512)).isEqualTo("512 bytes");
        assertThat(FreeSpace.bytes(1_500)).isEqualTo("1.5 kB");
        assertThat(FreeSpace.bytes(62_914_560)).isEqualTo("62.9 MB");
    }
}
