package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.time.Duration;

/** What every connection of the head shares: services, limits and the general broker. */
record HubContext(
        ServiceSlot<Authenticator> authenticator,
        ServiceSlot<IdentityRegistry> registry,
        ServiceSlot<MessageStore> store,
        TelemetryIngest ingest,
        ConnectionRegistry connections,
        PersistentSubscriptions persistentSubscriptions,
        UserTopicBroker userTopics,
        int maxInflightToClient,
        int maxPendingAcks,
        int maxMessageBytes,
        Duration clientAckTimeout,
        TwinRequests twins,
        MethodCalls methods) {
}
