package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketIdsTest {

    @Test
    void idsInFlightAreNeverHandedOutTwiceAndFreedOnesComeBackAfterTheWrap() {
        PacketIds ids = new PacketIds();
        int first = ids.allocate("a");
        int second = ids.allocate("b");
        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(2);
        assertThat(ids.release(first)).isEqualTo("a");
        assertThat(ids.release(first)).as("already free").isNull();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 65_534; i++) {
            int id = ids.allocate(i);
            assertThat(id).isNotEqualTo(second).isBetween(1, 65_535);
            assertThat(seen.add(id)).isTrue();
        }
        assertThat(seen).contains(1).hasSize(65_534);
        assertThat(ids.allocate("full")).as("all 65535 in flight").isZero();
        assertThat(ids.release(second)).isEqualTo("b");
        assertThat(ids.allocate("c")).isEqualTo(second);
    }

    @Test
    void idsOutsideTheRangeCarryNothing() {
        PacketIds ids = new PacketIds();
        ids.allocate("a");
        assertThat(ids.release(0)).isNull();
        assertThat(ids.release(65_536)).isNull();
        assertThat(ids.release(-1)).isNull();
    }
}
