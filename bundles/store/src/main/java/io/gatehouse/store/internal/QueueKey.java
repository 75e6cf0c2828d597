package io.gatehouse.store.internal;

import java.util.Comparator;
import java.util.Objects;

/** Names one queue: an endpoint at one priority. Orders by priority first (lowest number first). */
record QueueKey(String endpointId, int priority) implements Comparable<QueueKey> {

    private static final Comparator<QueueKey> ORDER =
            Comparator.comparingInt(QueueKey::priority).thenComparing(QueueKey::endpointId);

    QueueKey {
        Objects.requireNonNull(endpointId, "endpointId");
    }

    @Override
    public int compareTo(QueueKey other) {
        return ORDER.compare(this, other);
    }
}
