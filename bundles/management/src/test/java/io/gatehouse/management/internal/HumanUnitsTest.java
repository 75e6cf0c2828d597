package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HumanUnitsTest {

    @Test
    void agesShowTheTwoLargestUnitsTruncated() {
        assertThat(HumanUnits.age(0)).isEqualTo("<1s");
        assertThat(HumanUnits.age(999)).isEqualTo("<1s");
        assertThat(HumanUnits.age(59_999)).isEqualTo("59s");
        assertThat(HumanUnits.age(60_000)).isEqualTo("1m00s");
        assertThat(HumanUnits.age(192_500)).isEqualTo("3m12s");
        assertThat(HumanUnits.age(3_599_999)).isEqualTo("59m59s");
        assertThat(HumanUnits.age(2 * 3_600_000L + 5 * 60_000)).isEqualTo("2h05m");
        assertThat(HumanUnits.age(3 * 86_400_000L + 4 * 3_600_000L + 59 * 60_000)).isEqualTo("3d04h");
        assertThat(HumanUnits.age(400 * 86_400_000L)).isEqualTo("400d00h");
    }

    @Test
    void sizesAreBinaryWithOneDecimalBelowTen() {
        assertThat(HumanUnits.bytes(0)).isEqualTo("0B");
        assertThat(HumanUnits.bytes(1023)).isEqualTo("1023B");
        assertThat(HumanUnits.bytes(1024)).isEqualTo("1.0KiB");
        assertThat(HumanUnits.bytes(1536)).isEqualTo("1.5KiB");
        assertThat(HumanUnits.bytes(12 * 1024 + 300)).isEqualTo("12KiB");
        assertThat(HumanUnits.bytes(1024 * 1024 - 1)).isEqualTo("1.0MiB");
        assertThat(HumanUnits.bytes(340L * 1024 * 1024)).isEqualTo("340MiB");
        assertThat(HumanUnits.bytes(5L * 1024 * 1024 * 1024 + 1)).isEqualTo("5.0GiB");
        assertThat(HumanUnits.bytes(Long.MAX_VALUE)).isEqualTo("8.0EiB");
    }
}
