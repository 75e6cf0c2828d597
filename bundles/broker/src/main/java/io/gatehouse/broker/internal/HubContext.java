package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.store.MessageStore;
import java.time.Duration;

/** What every connection of the head shares: services, limits and the general broker. */
record HubContext(
        ServiceSlot<Authenticator> authenticator,
        ServiceSlot<MessageStore> store,
        TelemetryIngest ingest,
        ConnectionRegistry connections,
        InputSubscriptions inputSubscriptions,
        UserTopicBroker userTopics,
        int maxInflightToModule,
        int maxPendingAcks,
        int maxMessageBytes,
        Duration moduleAckTimeout,
        TwinRequests twins,
        MethodCalls methods) {
}
