package io.gatehouse.api.route;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Counters of the router since it started. */
@ProviderType
public interface RoutingStatistics {

    /**
     * Messages the router dropped, by reason ({@code no_route}: telemetry that no route matched
     * and no fallback took), as {@code edgehub_messages_dropped_total{reason=…}} counts them.
     */
    Map<String, Long> droppedMessages();
}
