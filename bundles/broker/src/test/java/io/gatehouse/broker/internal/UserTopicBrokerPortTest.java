package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The internal broker picks its free port before the head binds its configured one; a port the
 * kernel offers that the head will need is passed over (a system test once lost its MQTT port so).
 */
class UserTopicBrokerPortTest {

    @Test
    void aFreePortTheHeadWillBindIsPassedOver() throws Exception {
        Iterator<Integer> offered = List.of(33733, 33733, 8883, 40001).iterator();
        assertThat(UserTopicBroker.firstNotIn(Set.of(33733, 8883), offered::next)).isEqualTo(40001);
    }

    @Test
    void theFirstFreePortIsTakenWhenNothingIsInTheWay() throws Exception {
        Iterator<Integer> offered = List.of(40002, 40003).iterator();
        assertThat(UserTopicBroker.firstNotIn(Set.of(1883, 0), offered::next)).isEqualTo(40002);
    }
}
