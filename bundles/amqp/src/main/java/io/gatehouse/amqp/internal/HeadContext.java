package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.store.MessageStore;
import java.time.Duration;

/**
 * What every connection of the head shares: services, limits, and who holds which identity.
 *
 * @param containerId the container id the hub announces in its open frame
 * @param creditWindow transfers a client may have in flight on one telemetry link
 */
record HeadContext(
        ServiceSlot<Authenticator> authenticator,
        ServiceSlot<MessageStore> store,
        TelemetryStore telemetry,
        IdentityConnections connections,
        String containerId,
        int idleTimeoutMillis,
        int maxMessageBytes,
        int maxInflightToClient,
        Duration clientAckTimeout,
        int creditWindow) {
}
