package io.gatehouse.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueStatusTest {

    @Test
    void theShortFormReportsItsExpiredAsTtlDropsAndNothingElse() {
        QueueStatus status = new QueueStatus("$upstream", 0, 3, 10, 5, 2);
        assertThat(status.dropped()).containsOnly(Map.entry(QueueStatus.DROPPED_TTL_EXPIRY, 2L),
                Map.entry(QueueStatus.DROPPED_QUOTA, 0L), Map.entry(QueueStatus.DROPPED_CORRUPT, 0L));
        assertThat(status.oldestAgeMillis()).isEqualTo(-1);
        assertThat(status.deadLetters()).isZero();
    }

    @Test
    void droppedCountsCannotBeChangedAfterwards() {
        Map<String, Long> counts = new HashMap<>(Map.of(QueueStatus.DROPPED_QUOTA, 4L));
        QueueStatus status = new QueueStatus("ep", 1, 0, 4, 0, 0, -1, 0, counts, 0);
        counts.put(QueueStatus.DROPPED_QUOTA, 99L);
        assertThat(status.dropped()).containsEntry(QueueStatus.DROPPED_QUOTA, 4L);
        assertThatThrownBy(() -> status.dropped().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    }
}
