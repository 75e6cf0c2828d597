package io.gatehouse.api.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private static List<Long> delaysMillis(RetryBackoff backoff, int count) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) delays.add(backoff.nextDelay().toMillis());
        return delays;
    }

    @Test
    void withoutJitterTheDelayDoublesFromOneSecondUpToAMinute() {
        // U = 0.5 gives a jitter factor of exactly 1.0.
        RetryBackoff backoff = new RetryBackoff(() -> 0.5);
        assertThat(delaysMillis(backoff, 9))
                .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L);
        assertThat(backoff.failures()).isEqualTo(9);
    }

    @Test
    void jitterStaysWithinTwentyPercentOfTheExponentialPart() {
        RetryBackoff low = new RetryBackoff(() -> 0.0);
        RetryBackoff high = new RetryBackoff(() -> 0.999_999);
        assertThat(delaysMillis(low, 5)).containsExactly(1_000L, 1_800L, 3_400L, 6_600L, 13_000L);
        assertThat(delaysMillis(high, 5)).containsExactly(1_000L, 2_200L, 4_600L, 9_400L, 19_000L);
    }

    @Test
    void randomDelaysNeverLeaveTheBounds() {
        RetryBackoff backoff = new RetryBackoff();
        for (int i = 0; i < 1_000; i++) {
            Duration delay = backoff.nextDelay();
            assertThat(delay).isBetween(RetryBackoff.MIN_DELAY, RetryBackoff.MAX_DELAY);
        }
    }

    @Test
    void resetStartsAgainAtTheMinimum() {
        RetryBackoff backoff = new RetryBackoff(() -> 0.5);
        delaysMillis(backoff, 7);
        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    }
}
