package io.pickbox.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {

    @Test
    void bytesOrPowersOf1024() {
        assertThat(ByteSize.parse("0")).isZero();
        assertThat(ByteSize.parse("1500")).isEqualTo(1500);
        assertThat(ByteSize.parse("1500B")).isEqualTo(1500);
        assertThat(ByteSize.parse("500M")).isEqualTo(500L << 20);
        assertThat(ByteSize.parse("20G")).isEqualTo(20L << 30);
        assertThat(ByteSize.parse("20 GiB")).isEqualTo(20L << 30);
        assertThat(ByteSize.parse("20gb")).isEqualTo(20L << 30);
        assertThat(ByteSize.parse("2T")).isEqualTo(2L << 40);
        assertThat(ByteSize.parse("4k")).isEqualTo(4096);
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"", "-1", "1.5G", "G", "20X", "9999999999T", "99999999999999999999"}) {
            assertThatThrownBy(() -> ByteSize.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
