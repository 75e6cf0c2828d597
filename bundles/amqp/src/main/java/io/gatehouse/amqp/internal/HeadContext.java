package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.time.Duration;

/**
 * What every connection of the head shares: services, limits, and who holds which identity.
 *
 * @param containerId the container id the hub announces in its open frame
 * @param creditWindow transfers a client may have in flight on one telemetry link
 */
record HeadContext(
        ServiceSlot<Authenticator> authenticator,
        ServiceSlot<IdentityRegistry> registry,
        ScopeAnswers scope,
        ServiceSlot<MessageStore> store,
        TelemetryStore telemetry,
        TwinRequests twins,
        MethodCalls methods,
        IdentityConnections connections,
        String containerId,
        int idleTimeoutMillis,
        int maxMessageBytes,
        int maxInflightToClient,
        Duration clientAckTimeout,
        int creditWindow) {
}
