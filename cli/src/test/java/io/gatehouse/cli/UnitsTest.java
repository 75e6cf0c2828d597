package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void agesShowTheTwoLargestUnitsTruncated() {
        assertThat(Units.age(0)).isEqualTo("<1s");
        assertThat(Units.age(999)).isEqualTo("<1s");
        assertThat(Units.age(59_999)).isEqualTo("59s");
        assertThat(Units.age(192_500)).isEqualTo("3m12s");
        assertThat(Units.age(2 * 3_600_000L + 5 * 60_000 + 59_000)).isEqualTo("2h05m");
        assertThat(Units.age(3 * 86_400_000L + 4 * 3_600_000L)).isEqualTo("3d04h");
    }

    @Test
    void elapsedTimesAreInTheLargestWholeUnitInWords() {
        assertThat(Units.elapsed(-5_000)).isEqualTo("less than a second");
        assertThat(Units.elapsed(999)).isEqualTo("less than a second");
        assertThat(Units.elapsed(1_000)).isEqualTo("1 second");
        assertThat(Units.elapsed(59_999)).isEqualTo("59 seconds");
        assertThat(Units.elapsed(60_000)).isEqualTo("1 minute");
        assertThat(Units.elapsed(5 * 60_000 + 59_000)).isEqualTo("5 minutes");
        assertThat(Units.elapsed(3_600_000L)).isEqualTo("1 hour");
        assertThat(Units.elapsed(23 * 3_600_000L + 59 * 60_000)).isEqualTo("23 hours");
        assertThat(Units.elapsed(3 * 86_400_000L + 4 * 3_600_000L)).isEqualTo("3 days");
    }

    @Test
    void sizesAreBinaryWithOneDecimalBelowTen() {
        assertThat(Units.bytes(0)).isEqualTo("0B");
        assertThat(Units.bytes(1023)).isEqualTo("1023B");
        assertThat(Units.bytes(1536)).isEqualTo("1.5KiB");
        assertThat(Units.bytes(10_188)).isEqualTo("9.9KiB");
        assertThat(Units.bytes(10_240)).isEqualTo("10KiB");
        assertThat(Units.bytes(1024 * 1024 - 1)).isEqualTo("1.0MiB");
        assertThat(Units.bytes(3L << 30)).isEqualTo("3.0GiB");
    }

    @Test
    void oneLineReplacesControlCharactersAndCutsAtTheLimit() {
        assertThat(Units.oneLine("a\nb\tc", 10)).isEqualTo("a b c");
        assertThat(Units.oneLine("abcd", 4)).isEqualTo("abcd");
        assertThat(Units.oneLine("abcde", 4)).isEqualTo("abcd…");
        assertThat(Units.oneLine("😀😀😀", 2)).isEqualTo("😀😀…");
    }
}
